/** `init`: its own arguments; the work is src/init/. */
import { parseArgs } from 'node:util';
import { INIT_USAGE, runInit } from '../init/index.js';
import { NAME, type CliIO } from './output.js';

export function initCommand(argv: string[], out: CliIO): number {
  let parsed;
  try {
    parsed = parseArgs({
      args: argv,
      allowPositionals: true,
      strict: true,
      options: { write: { type: 'boolean' }, json: { type: 'boolean' }, help: { type: 'boolean', short: 'h' } },
    });
  } catch (error) {
    out.stderr(`${NAME}: ${(error as Error).message.replace(/\. To specify a positional argument[^]*$/, '')}\n${INIT_USAGE}`);
    return 2;
  }
  if (parsed.values.help) {
    out.stdout(INIT_USAGE);
    return 0;
  }
  if (parsed.positionals.length > 1) {
    out.stderr(`${NAME}: init takes one root directory\n${INIT_USAGE}`);
    return 2;
  }
  return runInit({ root: parsed.positionals[0], write: !!parsed.values.write, json: !!parsed.values.json }, out);
}
