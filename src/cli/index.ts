/**
 * The command line (`otel-context-transformer`, see bin/otel-context-transformer.mjs):
 *
 *   apply <dir|file...>    rewrites emitted JavaScript in place, after any compiler
 *                          (tsc, tsgo, swc, ...), chaining the existing source maps
 *   report <dir|file...>   lists every boundary and whether it is rewritten;
 *                          --check fails when one is not (for CI); with no
 *                          paths, every package of the workspace
 *   init [root]            plans (and with --write makes) the config edits
 *                          that set up every package of a workspace
 *
 * Split by job: args.ts (the command line and options), files.ts (finding and
 * reading the files), workspace.ts (a workspace's packages and their output),
 * apply.ts, report.ts, output.ts (progress and messages).
 * It runs the same `transform()` as the bundler plugins (src/api.ts). `apply`
 * transforms the whole file set into temporary files first and renames them
 * over the originals only when every file succeeded: on any error nothing is
 * written. `main()` never calls process.exit: it returns the exit status.
 */
import { CATEGORIES, PRESETS } from '../catalog.js';
import { OptionsError } from '../options.js';
import { parseCommandLine, UsageError } from './args.js';
import { apply } from './apply.js';
import { initCommand } from './init.js';
import { NAME, type CliIO } from './output.js';
import { report } from './report.js';

export { PROGRESS_EVERY, type CliIO } from './output.js';

export const USAGE = `Usage: otel-context-transformer <command> [options] <dir|file...>

Rewrites the async boundaries of JavaScript a compiler already emitted (tsc,
tsgo, swc, esbuild, ...) so that OpenTelemetry context follows them.

Commands:
  apply <dir|file...>     rewrite the files in place; existing source maps are
                          chained so they still point to the original sources
  report <dir|file...>    list every async boundary: file:line:col  kind  state
  report [workspace root] with no paths (or a workspace root): check the build
                          output of every package of the workspace (npm/Yarn
                          "workspaces", pnpm-workspace.yaml; a lone package
                          too) and print a table per package
  init [root]             find a workspace's packages and builds and print the
                          config changes that set them up; --write applies them
                          (init --help)

Options:
  --ext <list>            extensions looked for in directories, comma-separated
                          (default: .js,.mjs,.cjs); files named directly are
                          always processed
  --include <glob>        only files matching (repeatable; globs are relative
                          to the working directory)
  --exclude <glob>        leave matching files alone (repeatable;
                          default: **/node_modules/**)
  --skip <list>           boundary categories not to rewrite, comma-separated:
                          ${CATEGORIES.join(', ')}
  --preset <name>         the runtime the output runs on: ${PRESETS.join(', ')}
                          (default: all; node leaves to AsyncLocalStorage what
                          it carries)
  --runtime-module <id>   module rewritten code takes its helpers from
  --listeners <mode>      dispatch (default) or registration: what context event listeners run in
                          (default: otel-context-transformer/runtime)
  --helpers <mode>        auto (import in ES modules, require in CommonJS),
                          import, require or global (default: auto)
  --messages              carry contexts through postMessage between workers
                          (dedicated, shared) and their pages, to same-origin
                          windows, and into Piscina, Tinypool and workerpool
                          tasks (README "Messages (opt-in)")
  --broadcast-channels <names>
                          with --messages: BroadcastChannel names (comma-
                          separated or repeated) compiled at every end
  --debug                 debug mode: each boundary carries its site (from the
                          input source map when there is one) and logs every
                          crossing through OTel's diag (README "Debug mode")
  --config <file.json>    the options above as JSON: include, exclude, skip,
                          preset, boundaries, runtimeModule, typeCheck,
                          helpers, messages, broadcastChannels, listeners,
                          debug, ext; flags win
  --check                 report: list only boundaries that are not rewritten
                          and exit 1 if there is one (in any package)
  --json                  machine-readable result on stdout
  --quiet                 no progress and no summary (errors still print)
  -h, --help              show this text
  -v, --version           show the version

apply transforms every file before it writes any: if one cannot be read or
parsed, nothing is written. Each file is replaced through a temporary file and
a rename. Files already processed are left as they are, so a second apply
changes nothing, and so does output of the transform that a bundler or
minifier has renamed (report counts it as rewritten, recognised by its
markers). report takes the same options as apply (give it the same --config)
and reads nothing but the files. A package's build output is where its
package.json main, module, browser, bin and exports point, else dist/, build/,
lib/ or out/.

Exit status: 0 done; 1 a file could not be read or parsed (apply wrote
nothing), or --check found a boundary that is not rewritten; 2 bad usage or
options; 130 apply was interrupted (nothing written).
`;

export async function main(argv: string[], io: Partial<CliIO> = {}): Promise<number> {
  const out: CliIO = {
    stdout: io.stdout ?? ((text) => process.stdout.write(text)),
    stderr: io.stderr ?? ((text) => process.stderr.write(text)),
    interactive: io.interactive ?? (!!process.stderr.isTTY && !process.env.CI),
    version: io.version ?? 'unknown',
  };
  if (argv[0] === 'init') return initCommand(argv.slice(1), out);
  try {
    const settings = parseCommandLine(argv);
    if (settings === 'help') {
      out.stdout(USAGE);
      return 0;
    }
    if (settings === 'version') {
      out.stdout(`${out.version}\n`);
      return 0;
    }
    return await (settings.command === 'apply' ? apply(settings, out) : report(settings, out));
  } catch (error) {
    if (error instanceof UsageError || error instanceof OptionsError) {
      out.stderr(`${NAME}: ${error.message}\nRun '${NAME} --help' for usage.\n`);
      return 2;
    }
    throw error;
  }
}
