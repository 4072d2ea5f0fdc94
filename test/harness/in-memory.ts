/**
 * Compiles virtual files (under <cwd>/__virtual__) with a real TypeScript
 * program, in memory: what the unit tests of the TypeScript backend share.
 * Lib files are parsed once per TypeScript instance.
 */
import * as path from 'node:path';
import type * as TS from 'typescript';

export const VIRTUAL_ROOT = path.join(process.cwd(), '__virtual__');
export const VIRTUAL_OUT = path.join(VIRTUAL_ROOT, 'out');
const libCache = new WeakMap<typeof TS, Map<string, TS.SourceFile>>();

export interface InMemoryResult {
  /** Emitted files by path relative to the out dir ('a.js', 'a.js.map'). */
  js: Record<string, string>;
  program: TS.Program;
}

export function compileInMemory(
  ts: typeof TS,
  files: Record<string, string>,
  options: TS.CompilerOptions,
  before: (program: TS.Program) => TS.TransformerFactory<TS.SourceFile>[],
): InMemoryResult {
  const compilerOptions = { rootDir: VIRTUAL_ROOT, outDir: VIRTUAL_OUT, newLine: ts.NewLineKind.LineFeed, ...options };
  const virtual = new Map(Object.entries(files).map(([name, text]) => [path.join(VIRTUAL_ROOT, name), text]));
  let cache = libCache.get(ts);
  if (!cache) libCache.set(ts, (cache = new Map()));
  const host = ts.createCompilerHost(compilerOptions, true);
  const { getSourceFile, fileExists, readFile, directoryExists } = host;
  host.getSourceFile = (fileName, languageVersion, onError, shouldCreate) => {
    const text = virtual.get(fileName);
    if (text !== undefined) return ts.createSourceFile(fileName, text, languageVersion, true);
    const key = `${fileName}|${JSON.stringify(languageVersion)}`;
    let sourceFile = cache!.get(key);
    if (!sourceFile) {
      sourceFile = getSourceFile.call(host, fileName, languageVersion, onError, shouldCreate);
      if (sourceFile) cache!.set(key, sourceFile);
    }
    return sourceFile;
  };
  host.fileExists = (fileName) => virtual.has(fileName) || fileExists.call(host, fileName);
  host.readFile = (fileName) => virtual.get(fileName) ?? readFile.call(host, fileName);
  host.directoryExists = (dir) =>
    dir === VIRTUAL_ROOT || dir.startsWith(VIRTUAL_ROOT + path.sep) || (directoryExists?.call(host, dir) ?? true);
  const js: Record<string, string> = {};
  host.writeFile = (fileName, text) => {
    js[path.relative(VIRTUAL_OUT, fileName).split(path.sep).join('/')] = text;
  };
  const program = ts.createProgram([...virtual.keys()], compilerOptions, host);
  program.emit(undefined, undefined, undefined, false, { before: before(program) });
  return { js, program };
}
