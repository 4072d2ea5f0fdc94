// A diag logger that is compiled code itself (test/debug-mode.test.ts): each message is written later,
// after an await and a timer, as a logger that batches or writes to a stream would. Its own crossings
// must not be logged: each would log again, and the process would never go idle.
export const written: string[] = [];

export const asyncLogger = {
  debug(message: string): void {
    void write(message);
  },
  error(): void {},
  warn(): void {},
  info(): void {},
  verbose(): void {},
};

async function write(message: string): Promise<void> {
  await null;
  setTimeout(() => written.push(message), 0);
}
