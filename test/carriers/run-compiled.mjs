// Runs a compiled test/carriers/spawning.ts (its path the one argument) with the SDK of otel.mjs and prints
// one JSON object: the spans of this process and what every worker and child reported.
import { fileURLToPath, pathToFileURL } from 'node:url';
import { spans } from './otel.mjs';

const here = (file) => fileURLToPath(new URL(file, import.meta.url));
const mod = await import(pathToFileURL(process.argv[2]).href);
const scenario = mod.scenario ?? mod.default?.scenario;
const paths = { worker: here('./worker.mjs'), child: here('./child.mjs'), script: here('./print-carrier.sh'), otel: here('./otel.mjs') };
const { results, userObjects } = await scenario.run(paths);
process.stdout.write(JSON.stringify({ spans: spans(), results, userObjects }));
