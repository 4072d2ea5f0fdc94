/**
 * One policy for our own bugs, in every backend: an unexpected exception while
 * transforming a file never breaks the build; the file is left exactly as it
 * was, with a diagnostic that names it and says so.
 */

/** What the diagnostic says (after the file's position). */
export function internalErrorMessage(error: unknown): string {
  const what = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
  return `internal error, file left unchanged: ${what} (please report it, with this file if you can)`;
}

/**
 * Fault injection for the tests of this policy, in every integration (the
 * tsconfig plugin, bundlers, the CLI, the load hook, Babel) and in child
 * processes: with this variable set, the transform fails inside for every file
 * whose path contains its value.
 */
export const INJECT_FAULT_ENV = 'OTEL_CONTEXT_TRANSFORMER_INJECT_FAULT';

export function injectedFault(filename: string): void {
  const needle = typeof process === 'object' ? process.env?.[INJECT_FAULT_ENV] : undefined;
  if (needle && filename.includes(needle)) throw new Error(`fault injected by ${INJECT_FAULT_ENV}`);
}
