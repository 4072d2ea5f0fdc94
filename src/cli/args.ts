/** The command line: flags, the --config file and the options they make. */
import { readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { HELPERS_MODES, OptionsError, resolveOptions, type HelpersMode, type ResolvedOptions, type TransformOptions } from '../options.js';
import { ioMessage } from './output.js';

const DEFAULT_EXTENSIONS = ['.js', '.mjs', '.cjs'];

export class UsageError extends Error {}

export interface Settings {
  command: 'apply' | 'report';
  paths: string[];
  extensions: string[];
  transformOptions: TransformOptions;
  resolved: ResolvedOptions;
  helpers: HelpersMode;
  check: boolean;
  json: boolean;
  quiet: boolean;
}

export function parseCommandLine(argv: string[]): Settings | 'help' | 'version' {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: {
        ext: { type: 'string', multiple: true },
        include: { type: 'string', multiple: true },
        exclude: { type: 'string', multiple: true },
        skip: { type: 'string', multiple: true },
        'runtime-module': { type: 'string' },
        debug: { type: 'boolean' },
        preset: { type: 'string' },
        helpers: { type: 'string' },
        messages: { type: 'boolean' },
        'broadcast-channels': { type: 'string', multiple: true },
        listeners: { type: 'string' },
        config: { type: 'string' },
        check: { type: 'boolean' },
        json: { type: 'boolean' },
        quiet: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
        version: { type: 'boolean', short: 'v' },
      },
    });
  } catch (error) {
    // parseArgs names the flag: "Unknown option '--foo'", "Option '--ext <value>' argument missing".
    throw new UsageError((error as Error).message.replace(/\. To specify a positional argument[^]*$/, ''));
  }
  const { values, positionals } = parsed;
  if (values.help) return 'help';
  if (values.version) return 'version';
  const [command, ...paths] = positionals;
  if (command === undefined) throw new UsageError('missing command (apply or report)');
  if (command !== 'apply' && command !== 'report') throw new UsageError(`unknown command "${command}"; commands: apply, report`);
  // report with no paths checks the workspace at the working directory (see report.ts).
  if (paths.length === 0 && command === 'apply') throw new UsageError('apply needs at least one directory or file');
  if (values.check && command !== 'report') throw new UsageError('--check belongs to report');

  // The config file first, then each flag on top of it. Each source is validated
  // on its own so that an error names where the bad value came from.
  const config = values.config !== undefined ? readConfig(values.config) : {};
  const fromFlags: Record<string, unknown> = {};
  if (values.include) fromFlags.include = values.include;
  if (values.exclude) fromFlags.exclude = values.exclude;
  if (values.skip) fromFlags.skip = splitList(values.skip);
  if (values['runtime-module'] !== undefined) fromFlags.runtimeModule = values['runtime-module'];
  if (values.messages) fromFlags.messages = true;
  if (values['broadcast-channels']) fromFlags.broadcastChannels = splitList(values['broadcast-channels']);
  if (values.listeners !== undefined) fromFlags.listeners = values.listeners;
  if (values.debug) fromFlags.debug = true;
  if (values.preset !== undefined) fromFlags.preset = values.preset;
  const flagNames: Record<string, string> = {
    include: '--include',
    exclude: '--exclude',
    skip: '--skip',
    runtimeModule: '--runtime-module',
    messages: '--messages',
    broadcastChannels: '--broadcast-channels',
    listeners: '--listeners',
    debug: '--debug',
    preset: '--preset',
  };
  for (const [key, value] of Object.entries(fromFlags)) {
    try {
      // Checked on its own, with what it depends on (the names need messages: true, checked once all are read).
      resolveOptions({ [key]: value, ...(key === 'broadcastChannels' ? { messages: true } : {}) });
    } catch (error) {
      if (error instanceof OptionsError) throw new OptionsError(`${flagNames[key]}: ${error.message}`);
      throw error;
    }
  }
  const { helpers: configHelpers, ext: configExt, ...configOptions } = config;
  const transformOptions = { ...configOptions, ...fromFlags } as TransformOptions;
  const helpers = values.helpers ?? configHelpers ?? 'auto';
  if (!(HELPERS_MODES as readonly unknown[]).includes(helpers)) {
    const where = values.helpers !== undefined ? '--helpers' : values.config;
    const allowed = HELPERS_MODES.join(', ');
    throw new OptionsError(`${where}: option "helpers" has unknown value ${JSON.stringify(helpers)}; allowed values: ${allowed}`);
  }
  let extensions = DEFAULT_EXTENSIONS;
  if (values.ext) extensions = normalizeExtensions(values.ext.join(','), '--ext');
  else if (configExt !== undefined) extensions = normalizeExtensions(configExt, `${values.config}: option "ext"`);
  return {
    command,
    paths,
    extensions,
    transformOptions,
    resolved: resolveOptions(transformOptions),
    helpers: helpers as HelpersMode,
    check: !!values.check,
    json: !!values.json,
    quiet: !!values.quiet,
  };
}

function splitList(values: string[]): string[] {
  return values
    .flatMap((v) => v.split(','))
    .map((v) => v.trim())
    .filter((v) => v !== '');
}

function normalizeExtensions(raw: unknown, where: string): string[] {
  const list = typeof raw === 'string' ? splitList([raw]) : raw;
  if (!Array.isArray(list) || list.length === 0 || list.some((e) => typeof e !== 'string' || !/^\.?[\w.-]+$/.test(e))) {
    throw new OptionsError(`${where} must list file extensions such as .js,.mjs (got ${JSON.stringify(raw)})`);
  }
  return list.map((e: string) => (e.startsWith('.') ? e : `.${e}`));
}

function readConfig(file: string): Record<string, unknown> {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (error) {
    throw new UsageError(`--config ${file}: cannot read: ${ioMessage(error)}`);
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (error) {
    throw new UsageError(`--config ${file}: not valid JSON: ${(error as Error).message}`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new OptionsError(`${file}: options must be a JSON object`);
  try {
    resolveOptions(raw, ['helpers', 'ext']);
  } catch (error) {
    if (error instanceof OptionsError) throw new OptionsError(`${file}: ${error.message}`);
    throw error;
  }
  return raw as Record<string, unknown>;
}
