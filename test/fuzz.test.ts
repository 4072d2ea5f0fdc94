/**
 * Differential fuzzing, fixed set (the long run is `npm run fuzz`, see fuzz/README.md): generated
 * async programs compiled without the transform and with it — transform() from the api and the
 * TypeScript plugin through transpileModule — log identical events (order, values, errors and their
 * identity, unhandled rejections), and with the transform every context check passes and nothing is
 * left in the slot for uncompiled jobs. Plus every shrunk regression case in test/fuzz-regressions/.
 */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { checkSources, programSource, REGRESSION_DIR, type CheckedProgram } from '../fuzz/run.js';
import { KNOWN_ISSUES } from '../fuzz/generator.js';

/** Seeds 1..SEEDS (text and ts backends), 1..ES2015_SEEDS (es2015). Known, reported transform bugs are not generated until fixed (fuzz/README.md). */
const SEEDS = 200;
const ES2015_SEEDS = 50;

function describeFailures(checked: CheckedProgram[]): string[] {
  return checked
    .filter((c) => c.failures.some((f) => f.backend !== 'typescript'))
    .map((c) => `${c.name}: ${c.failures.map((f) => `[${f.backend} ${f.kind}] ${f.detail.split('\n')[0]}`).join(' | ')}`);
}

const programs = (n: number) => Array.from({ length: n }, (_, i) => programSource(i + 1, { avoid: KNOWN_ISSUES }));

describe('differential fuzzing', () => {
  it(`seeds 1..${SEEDS}: the same events with and without the transform (api transform(), TypeScript plugin), right contexts with it`, async () => {
    const checked = await checkSources(programs(SEEDS), { batch: 50, jobs: 2, backends: ['text', 'ts'] });
    expect(describeFailures(checked)).toEqual([]);
    // The programs do something: they log, and without the transform many lose the context.
    expect(checked.reduce((n, c) => n + c.events, 0)).toBeGreaterThan(SEEDS * 10);
    expect(checked.filter((c) => c.plainCtxFailures > 0).length).toBeGreaterThan(SEEDS / 4);
  });

  it(`seeds 1..${ES2015_SEEDS}: the same with the TypeScript plugin at target ES2015 (async functions under __awaiter)`, async () => {
    const checked = await checkSources(programs(ES2015_SEEDS), { batch: 25, jobs: 2, backends: ['es2015'] });
    expect(describeFailures(checked)).toEqual([]);
  });

  it('catches injected bugs: an extra tick per await, and callbacks left unbound', async () => {
    const sources = programs(12);
    const extraTick = await checkSources(sources, {
      batch: 12,
      jobs: 1,
      backends: ['text'],
      mutate: (code) => code.replaceAll('await __otelCtx.suspend(', 'await await __otelCtx.suspend('),
    });
    expect(extraTick.filter((c) => c.failures.some((f) => f.kind === 'events')).length).toBeGreaterThan(0);
    const unbound = await checkSources(sources, {
      batch: 12,
      jobs: 1,
      backends: ['text'],
      mutate: (code) => code.replaceAll('__otelCtx.bind(', '('),
    });
    expect(unbound.filter((c) => c.failures.some((f) => f.kind === 'ctx')).length).toBeGreaterThan(0);
  });
});

const regressions = existsSync(REGRESSION_DIR)
  ? readdirSync(REGRESSION_DIR)
      .filter((f) => /\.(js|ts)$/.test(f))
      .sort()
  : [];

describe.skipIf(regressions.length === 0)('fuzz regressions (test/fuzz-regressions)', () => {
  it.each(regressions)('%s', async (file) => {
    const source = readFileSync(join(REGRESSION_DIR, file), 'utf8');
    const [checked] = await checkSources([{ name: file, source, lang: file.endsWith('.ts') ? 'ts' : 'js' }], { batch: 1, jobs: 1 });
    expect(describeFailures([checked!])).toEqual([]);
  });
});
