/** Compiles the scenario list with a backend and runs it in a child process. */
import { execFileSync } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Backend } from './backends.js';

const here = dirname(fileURLToPath(import.meta.url));
export const SCENARIO_DIR = resolve(here, '../scenarios');
export const TMP_DIR = resolve(here, '../.tmp');

export interface SpanRecord {
  name: string;
  traceId: string;
  spanId: string;
  parentSpanId?: string;
}

export interface ScenarioResult {
  name: string;
  spans: SpanRecord[];
  events: unknown[];
  leaks: string[];
  error?: string;
}

export function scenarioFiles(): string[] {
  return readdirSync(SCENARIO_DIR)
    .filter((f) => f.endsWith('.ts') && !f.startsWith('_'))
    .sort()
    .map((f) => join(SCENARIO_DIR, f));
}

/**
 * Runs compiled files in one process (scenarios in sequence, each with a fresh exporter), through
 * runner.mjs or another runner with the same output (zone-runner.mjs: zone.js loaded first).
 */
export function runCompiled(
  files: string[],
  manager: 'compiled' | 'als' = 'compiled',
  runner = join(here, 'runner.mjs'),
): Map<string, ScenarioResult> {
  // --expose-gc: the FinalizationRegistry scenario collects garbage on purpose.
  const stdout = execFileSync(process.execPath, ['--expose-gc', runner, manager, ...files], {
    encoding: 'utf8',
    maxBuffer: 64 * 1024 * 1024,
    timeout: 120_000,
  });
  const results = new Map<string, ScenarioResult>();
  for (const line of stdout.split('\n')) {
    if (!line.startsWith('@@RESULT ')) continue;
    const result = JSON.parse(line.slice('@@RESULT '.length)) as ScenarioResult;
    results.set(result.name, result);
  }
  return results;
}

export function compileAndRun(
  backend: Backend,
  files: string[],
  transform: boolean,
  options?: Record<string, unknown>,
  group = '',
): Map<string, ScenarioResult> {
  const outDir = join(TMP_DIR, backend.name, (transform ? 'transformed' : 'plain') + group);
  const outputs = backend.compile(files, outDir, transform, options);
  return backend.run ? backend.run(outputs) : runCompiled(outputs);
}

/**
 * Compares spans with the expected parent map. Returns a list of problems
 * (empty when the trace tree is exactly as expected).
 */
export function traceProblems(spans: SpanRecord[], expect: Record<string, string | null>): string[] {
  const problems: string[] = [];
  const byName = new Map<string, SpanRecord[]>();
  for (const span of spans) byName.set(span.name, [...(byName.get(span.name) ?? []), span]);
  for (const [child, parent] of Object.entries(expect)) {
    const found = byName.get(child) ?? [];
    if (found.length !== 1) {
      problems.push(`expected one span "${child}", found ${found.length}`);
      continue;
    }
    const span = found[0]!;
    if (parent === null) {
      if (span.parentSpanId !== undefined) problems.push(`"${child}" should be a root span`);
      continue;
    }
    const parentSpan = byName.get(parent)?.[0];
    if (!parentSpan) {
      problems.push(`parent span "${parent}" of "${child}" missing`);
    } else if (span.parentSpanId !== parentSpan.spanId || span.traceId !== parentSpan.traceId) {
      problems.push(`"${child}" should be a child of "${parent}"`);
    }
  }
  return problems;
}
