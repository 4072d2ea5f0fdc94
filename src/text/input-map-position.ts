/**
 * Positions in the code a transform was given → positions in the original source, through the input
 * source map (the CLI over compiled output with its .map files, the load hook over code another hook
 * compiled). Debug mode's sites (options.debug) name the original source this way.
 */
import { decode, type SourceMapMappings } from '@jridgewell/sourcemap-codec';
import * as path from 'node:path';
import { fileURLToPath } from 'node:url';

/** A 1-based line and column in a source file, named by `siteFile` (the map's own name when it is a URL). */
export interface OriginalPosition {
  file: string;
  line: number;
  column: number;
}

/** What the map looks up: 0-based line and column of the generated code, lines split at \n as source maps count them. */
export type OriginalPositionOf = (line: number, column: number) => OriginalPosition | undefined;

interface MapFields {
  sources?: readonly (string | null)[];
  sourceRoot?: string;
  mappings?: string | SourceMapMappings;
}

/** A lookup over the input map, or undefined when it holds nothing usable (never throws over a bad map). */
export function originalPositions(map: unknown, generatedFile: string, siteFile: (file: string) => string): OriginalPositionOf | undefined {
  let fields: MapFields;
  try {
    fields = (typeof map === 'string' ? JSON.parse(map) : map) as MapFields;
    if (!fields || typeof fields !== 'object' || !Array.isArray(fields.sources)) return undefined;
  } catch {
    return undefined;
  }
  let lines: SourceMapMappings;
  try {
    lines = typeof fields.mappings === 'string' ? decode(fields.mappings) : Array.isArray(fields.mappings) ? fields.mappings : [];
  } catch {
    return undefined;
  }
  const sources = fields.sources!.map((source) => {
    if (source == null) return undefined;
    const file = sourcePath(source, fields.sourceRoot, generatedFile);
    return path.isAbsolute(file) ? siteFile(file) : file;
  });
  return (line, column) => {
    const segments = lines[line];
    if (!segments) return undefined;
    // The last segment starting at or before the column (segments are sorted by generated column).
    let found: readonly number[] | undefined;
    for (const segment of segments) {
      if (segment[0]! > column) break;
      found = segment;
    }
    if (!found || found.length < 4) return undefined;
    const file = sources[found[1]!];
    return file === undefined ? undefined : { file, line: found[2]! + 1, column: found[3]! + 1 };
  };
}

function sourcePath(source: string, sourceRoot: string | undefined, generatedFile: string): string {
  const joined = sourceRoot ? `${sourceRoot.replace(/\/?$/, '/')}${source}` : source;
  if (joined.startsWith('file:')) {
    try {
      return fileURLToPath(joined);
    } catch {
      return joined;
    }
  }
  // Another scheme (webpack://, http:): the map's own name, as it is.
  if (/^[a-z][a-z\d+.-]*:\/\//i.test(joined)) return joined;
  return path.resolve(path.dirname(generatedFile), joined);
}
