/**
 * Options shared by every backend, and their validation. A bad option stops the
 * transform with a message naming the key and what is allowed; it never
 * silently falls back to defaults.
 */
import picomatch from 'picomatch';
import * as path from 'node:path';
import {
  CATEGORIES,
  DEBUG_RUNTIME_MODULE,
  DEFAULT_RUNTIME_MODULE,
  declaredBoundary,
  LIBRARY_BOUNDARIES,
  messageCallBoundaries,
  LISTENER_MODES,
  MESSAGES_RUNTIME_MODULE,
  parseCallPath,
  PRESET_SKIPS,
  PRESETS,
  type BoundaryDeclaration,
  type Category,
  type DeclaredBoundary,
  type ListenerMode,
  type Preset,
} from './catalog.js';

export interface TransformOptions {
  /** Globs (relative to the working directory) of files to transform. Default: every file. */
  include?: string[];
  /** Globs of files to leave alone. Default: `["**\/node_modules/**"]`. */
  exclude?: string[];
  /** Boundary categories not to rewrite. */
  skip?: Category[];
  /** Module compiled code imports its helpers from. Default: `otel-context-transformer/runtime`. */
  runtimeModule?: string;
  /** Use the type checker, when the host provides one, to decide what is a global or a promise. Default: true. */
  typeCheck?: boolean;
  /** Packages under node_modules to transform too (by package name, e.g. `["@acme/sdk"]`). */
  packages?: string[];
  /**
   * How compiled code reaches the helpers: `import`, `require`, or `global` (a
   * prelude, `otel-context-transformer/global`, put them on globalThis: plain
   * scripts). Default `auto`: import in ES modules, require in CommonJS.
   */
  helpers?: HelpersMode;
  /**
   * Messages, opt-in: `postMessage` between a dedicated worker (browser Worker, worker_threads) and
   * the code that spawned it, between a SharedWorker and its pages, and to a same-origin window,
   * carries the sender's context to the receiver's `message` listeners once both ends, compiled with
   * this option, have said so; Piscina, Tinypool and workerpool tasks run in the context of the call
   * that submitted them. Helpers come from otel-context-transformer/runtime/messages.
   * Default: false.
   */
  messages?: boolean;
  /**
   * With `messages: true`: names of the `BroadcastChannel`s whose every end (every page, worker and
   * process that opens one by that name) is compiled with the option. A channel can say nothing to
   * its other ends that an uncompiled one would not see, so carrying on it rests on this declaration.
   */
  broadcastChannels?: string[];
  // --- listeners (issue 10) ---
  /**
   * What context event listeners run in: `dispatch` (default), the dispatcher's, as the TC39
   * AsyncContext proposal says; `registration`, the context where addEventListener / `on*` /
   * EventEmitter `on`/`once`/… was called (what zone.js does). XHR and img/script events run in the
   * context of send() / setting `src` in both.
   */
  listeners?: ListenerMode;
  // --- debug mode (issue 10, item 6) ---
  /**
   * Each rewritten boundary carries its source site (`file:line:col`, the file relative to the working
   * directory) and compiled code imports the debug runtime, which logs every crossing through OTel's
   * `diag` (see README "Debug mode"). Default: false.
   */
  debug?: boolean;
  // --- end debug mode ---
  /**
   * Queues, pools and SDKs that hold a callback and call it later, besides the catalog's library set:
   * `[{ "module": "p-queue", "call": "PQueue.prototype.add", "callbackArg": 0 }]` (catalog: parseCallPath).
   */
  boundaries?: BoundaryDeclaration[];
  /** The runtime the output runs on: which categories it needs rewritten (catalog: PRESET_SKIPS). Default `all`. */
  preset?: Preset;
}

export const HELPERS_MODES = ['auto', 'import', 'require', 'global'] as const;
export type HelpersMode = (typeof HELPERS_MODES)[number];
/** How one file reaches the helpers, once `auto` is settled for it. */
export type HelpersReference = Exclude<HelpersMode, 'auto'>;

export interface ResolvedOptions {
  /** The categories not rewritten: the preset's and the `skip` option's. */
  skip: ReadonlySet<Category>;
  /** The declared boundaries: the catalog's library set, then the `boundaries` option's. */
  boundaries: readonly DeclaredBoundary[];
  preset: Preset;
  helpers: HelpersMode;
  runtimeModule: string;
  typeCheck: boolean;
  /** The `messages` option (planner: planMessage). */
  messages: boolean;
  /** The `broadcastChannels` option: channel names declared compiled at every end. */
  broadcastChannels: readonly string[];
  listeners: ListenerMode;
  // --- debug mode (issue 10, item 6) ---
  /** Sites are emitted (runtimeModule is then the debug runtime unless the user named another module). */
  debug: boolean;
  /** The name sites give a file: relative to the working directory, `/`-separated, never the build machine's absolute path. */
  siteFile(fileName: string): string;
  // --- end debug mode ---
  /** Whether the file at this path is to be transformed (include/exclude). */
  matches(fileName: string): boolean;
}

export class OptionsError extends Error {
  override name = 'OptionsError';
}

const DEFAULT_EXCLUDE = ['**/node_modules/**'];

type Check = (value: unknown, key: string) => void;
const stringArray =
  (what: string): Check =>
  (value, key) => {
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string' || v.trim() === '')) {
      throw new OptionsError(`option "${key}" must be an array of ${what}, got ${describe(value)}`);
    }
  };
const OPTION_CHECKS: Record<keyof TransformOptions, Check> = {
  include: stringArray('glob strings'),
  exclude: stringArray('glob strings'),
  skip: (value, key) => {
    if (!Array.isArray(value)) throw new OptionsError(`option "${key}" must be an array, got ${describe(value)}`);
    for (const v of value) {
      if (!(CATEGORIES as readonly unknown[]).includes(v)) {
        throw new OptionsError(`option "${key}" has unknown value ${describe(v)}; allowed values: ${CATEGORIES.join(', ')}`);
      }
    }
  },
  runtimeModule: (value, key) => {
    if (typeof value !== 'string' || value === '')
      throw new OptionsError(`option "${key}" must be a non-empty string, got ${describe(value)}`);
  },
  typeCheck: (value, key) => {
    if (typeof value !== 'boolean') throw new OptionsError(`option "${key}" must be true or false, got ${describe(value)}`);
  },
  packages: stringArray('package names'),
  helpers: (value, key) => {
    if (!(HELPERS_MODES as readonly unknown[]).includes(value)) {
      throw new OptionsError(`option "${key}" has unknown value ${describe(value)}; allowed values: ${HELPERS_MODES.join(', ')}`);
    }
  },
  messages: (value, key) => {
    if (typeof value !== 'boolean') throw new OptionsError(`option "${key}" must be true or false, got ${describe(value)}`);
  },
  broadcastChannels: (value, key) => {
    if (!Array.isArray(value) || value.some((v) => typeof v !== 'string')) {
      throw new OptionsError(`option "${key}" must be an array of channel names, got ${describe(value)}`);
    }
  },
  // --- listeners (issue 10) ---
  listeners: (value, key) => {
    if (!(LISTENER_MODES as readonly unknown[]).includes(value)) {
      throw new OptionsError(`option "${key}" has unknown value ${describe(value)}; allowed values: ${LISTENER_MODES.join(', ')}`);
    }
  },
  // --- debug mode (issue 10, item 6) ---
  debug: (value, key) => {
    if (typeof value !== 'boolean') throw new OptionsError(`option "${key}" must be true or false, got ${describe(value)}`);
  },
  // --- end debug mode ---
  boundaries: checkBoundaries,
  preset: (value, key) => {
    if (!(PRESETS as readonly unknown[]).includes(value)) {
      throw new OptionsError(`option "${key}" has unknown value ${describe(value)}; allowed values: ${PRESETS.join(', ')}`);
    }
  },
};

/** Each entry of `boundaries`: an error names the entry's index and the field at fault. */
function checkBoundaries(value: unknown, key: string): void {
  if (!Array.isArray(value))
    throw new OptionsError(`option "${key}" must be an array of { module, call, callbackArg }, got ${describe(value)}`);
  value.forEach((entry: unknown, index) => {
    const at = `option "${key}", entry ${index}`;
    if (typeof entry !== 'object' || entry === null || Array.isArray(entry)) {
      throw new OptionsError(`${at} must be an object { module, call, callbackArg }, got ${describe(entry)}`);
    }
    const fields = entry as Record<string, unknown>;
    for (const field of Object.keys(fields)) {
      if (!['module', 'call', 'callbackArg', 'each'].includes(field)) {
        throw new OptionsError(`${at} has unknown field "${field}"; allowed fields: module, call, callbackArg, each`);
      }
    }
    if (typeof fields.module !== 'string' || fields.module.trim() === '') {
      throw new OptionsError(`${at}: field "module" must be a module name (as imported), got ${describe(fields.module)}`);
    }
    if (typeof fields.call !== 'string') {
      throw new OptionsError(
        `${at}: field "call" must be a string such as "PQueue.prototype.add" or "default()", got ${describe(fields.call)}`,
      );
    }
    const parsed = parseCallPath(fields.call);
    if (typeof parsed === 'string') throw new OptionsError(`${at}: field "call" ${JSON.stringify(fields.call)} is invalid: ${parsed}`);
    const positions = Array.isArray(fields.callbackArg) ? fields.callbackArg : [fields.callbackArg];
    if (positions.length === 0 || positions.some((p) => !Number.isInteger(p) || (p as number) < 0)) {
      throw new OptionsError(
        `${at}: field "callbackArg" must be a non-negative integer (or an array of them), got ${describe(fields.callbackArg)}`,
      );
    }
    if (fields.each !== undefined && typeof fields.each !== 'boolean') {
      throw new OptionsError(`${at}: field "each" must be true or false, got ${describe(fields.each)}`);
    }
  });
}

function describe(value: unknown): string {
  if (typeof value === 'string') return JSON.stringify(value);
  if (Array.isArray(value)) return 'an array';
  return value === null ? 'null' : typeof value === 'object' ? 'an object' : String(value);
}

/**
 * Validates raw options. `hostKeys` are keys that belong to the host's own
 * config entry (ts-patch's `transform`, `type`, `after`, ...) and are ignored.
 */
export function resolveOptions(raw: unknown, hostKeys: readonly string[] = []): ResolvedOptions {
  if (raw === undefined || raw === null) raw = {};
  if (typeof raw !== 'object' || Array.isArray(raw)) throw new OptionsError(`options must be an object, got ${describe(raw)}`);
  const allowed = Object.keys(OPTION_CHECKS);
  for (const [key, value] of Object.entries(raw as Record<string, unknown>)) {
    if (hostKeys.includes(key)) continue;
    const check = OPTION_CHECKS[key as keyof TransformOptions];
    if (!check) throw new OptionsError(`unknown option "${key}"; allowed options: ${allowed.join(', ')}`);
    if (value !== undefined) check(value, key);
  }
  const options = raw as TransformOptions;
  const messages = options.messages ?? false;
  // The message helpers are not in the helpers prelude (a plain script cannot gate a channel it did not open).
  if (messages && options.helpers === 'global') {
    throw new OptionsError('option "messages" needs the helpers imported or required; it cannot be used with helpers: "global"');
  }
  if (options.broadcastChannels?.length && !messages) {
    throw new OptionsError('option "broadcastChannels" needs messages: true (the channels carry through the message helpers)');
  }
  const cwd = process.cwd();
  const glob = (patterns: string[]) => picomatch(patterns, { dot: true });
  const included = options.include && options.include.length > 0 ? glob(options.include) : () => true;
  const excluded = glob(options.exclude ?? DEFAULT_EXCLUDE);
  // Opted-in packages: any file under node_modules/<name>/ (nested installs too).
  const packages = (options.packages ?? []).map((name) => `/node_modules/${name}/`);
  const inPackage = (file: string) => packages.some((segment) => file.split(path.sep).join('/').includes(segment));
  const preset = options.preset ?? 'all';
  return {
    skip: new Set([...PRESET_SKIPS[preset], ...(options.skip ?? [])]),
    boundaries: [
      ...[...LIBRARY_BOUNDARIES, ...(options.boundaries ?? [])].map(declaredBoundary),
      ...(messages ? messageCallBoundaries() : []),
    ],
    preset,
    helpers: options.helpers ?? 'auto',
    runtimeModule:
      options.runtimeModule ?? (options.debug ? DEBUG_RUNTIME_MODULE : messages ? MESSAGES_RUNTIME_MODULE : DEFAULT_RUNTIME_MODULE),
    typeCheck: options.typeCheck ?? true,
    messages,
    broadcastChannels: [...new Set(options.broadcastChannels ?? [])],
    listeners: options.listeners ?? 'dispatch',
    // --- debug mode (issue 10, item 6) ---
    debug: options.debug ?? false,
    siteFile(fileName) {
      const relative = path.relative(cwd, fileName).split(path.sep).join('/');
      // Another drive (Windows): no relative path exists; the base name never leaks the machine's layout.
      return path.isAbsolute(relative) ? path.basename(fileName) : relative;
    },
    // --- end debug mode ---
    matches(fileName) {
      const relative = path.relative(cwd, fileName).split(path.sep).join('/');
      const candidates = relative.startsWith('..') || path.isAbsolute(relative) ? [fileName] : [relative, fileName];
      if (inPackage(fileName)) return true;
      return candidates.some((f) => included(f)) && !candidates.some((f) => excluded(f));
    },
  };
}
