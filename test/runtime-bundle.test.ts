/**
 * The runtime as bundlers see it: no `#private` fields or class fields in the built files (TypeScript
 * downlevels private fields to __classPrivateFieldGet helpers, whose top-level `this` makes every Rollup build
 * warn, and Hermes has no private fields), and Rollup bundles each runtime entry without a warning.
 */
import { readdirSync, readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { rollup } from 'rollup';

const runtimeDir = new URL('../dist/esm/runtime/', import.meta.url).pathname;

describe('the built runtime', () => {
  it('has no private-field helpers', () => {
    for (const file of readdirSync(runtimeDir).filter((f) => f.endsWith('.js'))) {
      const code = readFileSync(runtimeDir + file, 'utf8');
      expect(code, file).not.toContain('__classPrivateField');
      expect(code, file).not.toMatch(/(^|[\s;{}])#[A-Za-z_]/m);
    }
  });

  for (const entry of ['index', 'async-context', 'global']) {
    it(`bundles with Rollup without warnings: ${entry}`, async () => {
      const warnings: string[] = [];
      const bundle = await rollup({
        input: `${runtimeDir}${entry}.js`,
        external: ['@opentelemetry/api'],
        onwarn: (warning) => void warnings.push(`${warning.code}: ${warning.message}`),
      });
      await bundle.generate({ format: 'esm' });
      await bundle.close();
      expect(warnings).toEqual([]);
    });
  }
});
