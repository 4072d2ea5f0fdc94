// `npm run example`: compiles examples/app.ts twice, with `tspc` (the tsconfig
// plugin applies the transform) and with plain `tsc` (plugins are ignored), runs
// both on the real OTel SDK and prints the two trace forests side by side.
import { execFileSync } from 'node:child_process';
import { renameSync } from 'node:fs';
import { linkPackage } from './link-package.mjs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const require = createRequire(import.meta.url);
const bin = (pkg, file) => join(dirname(require.resolve(`${pkg}/package.json`)), file);

// ts-patch resolves `"transform": "otel-context-transformer"` from the project.
linkPackage();

function compile(compiler, outDir) {
  execFileSync(process.execPath, [compiler, '-p', join(here, 'tsconfig.json'), '--outDir', join(here, outDir)], { stdio: 'inherit' });
  renameSync(join(here, outDir, 'app.js'), join(here, outDir, 'app.mjs'));
  return join(here, outDir, 'app.mjs');
}

function run(file) {
  const out = execFileSync(process.execPath, [join(here, 'trace-app.mjs'), file], { encoding: 'utf8' });
  return JSON.parse(out);
}

/** Lines of a forest of spans, children under parents; a span whose parent is not here is a root. */
function forest(spans) {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map();
  for (const s of spans) {
    const key = s.parentSpanId && ids.has(s.parentSpanId) ? s.parentSpanId : 'root';
    children.set(key, [...(children.get(key) ?? []), s]);
  }
  const lines = [];
  const walk = (span, prefix, last, depth) => {
    lines.push(depth === 0 ? `● ${span.name}` : `${prefix}${last ? '└─ ' : '├─ '}${span.name}`);
    const kids = (children.get(span.spanId) ?? []).sort((a, b) => a.start - b.start);
    kids.forEach((k, i) => walk(k, depth === 0 ? '  ' : prefix + (last ? '   ' : '│  '), i === kids.length - 1, depth + 1));
  };
  for (const root of (children.get('root') ?? []).sort((a, b) => a.start - b.start)) walk(root, '', true, 0);
  return { lines, traces: new Set(spans.map((s) => s.traceId)).size };
}

const plain = forest(run(compile(bin('typescript', 'bin/tsc'), '.out/plain')));
const transformed = forest(run(compile(bin('ts-patch', 'bin/tspc.js'), '.out/transformed')));

const width = Math.max(...plain.lines.map((l) => l.length), 44) + 4;
const left = `Without the transform: ${plain.traces} traces`;
const right = `With otel-context-transformer: ${transformed.traces} traces`;
console.log(`\n${left.padEnd(width)}${right}`);
console.log(`${'-'.repeat(left.length).padEnd(width)}${'-'.repeat(right.length)}`);
for (let i = 0; i < Math.max(plain.lines.length, transformed.lines.length); i++) {
  console.log(`${(plain.lines[i] ?? '').padEnd(width)}${transformed.lines[i] ?? ''}`);
}
console.log(
  `\nSame source, same SDK, same CompiledContextManager. Without the transform every async hop starts a new` +
    `\nroot trace; with it, each checkout is one connected trace.\n`,
);
