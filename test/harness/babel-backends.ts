/**
 * Conformance backends for the Babel integration (see backends.ts for the interface).
 *
 * Each compiles the scenario with @babel/core the way a user's babel.config.js
 * would: our plugin first in `plugins` (plugins run before presets), then the
 * presets, which lower `async`/`await` to generators or to a regenerator state
 * machine: the rewrite must already have happened by then. The plugin is named
 * by path, so Babel loads the CommonJS build like it loads any plugin.
 */
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import type { Backend } from './backends.js';
import { writeOutputs } from './backends.js';

const require = createRequire(import.meta.url);

interface BabelSetup {
  name: string;
  format: 'esm' | 'cjs';
  presets: unknown[];
  /** Extra Babel options (caller, envName...). */
  options?: Record<string, unknown>;
}

function babelBackend({ name, format, presets, options }: BabelSetup): Backend {
  return {
    name,
    format,
    compile(files, outDir, transformOn, ourOptions = {}) {
      const babel = require('@babel/core') as typeof import('@babel/core');
      const plugin = require.resolve('otel-context-transformer/babel');
      return writeOutputs(files, outDir, format, (file) => {
        const problems: string[] = [];
        const result = babel.transformSync(readFileSync(file, 'utf8'), {
          filename: file,
          babelrc: false,
          configFile: false,
          browserslistConfigFile: false,
          sourceType: 'module',
          plugins: transformOn ? [[plugin, { ...ourOptions, onDiagnostic: (d: { message: string }) => problems.push(d.message) }]] : [],
          presets,
          ...options,
        });
        if (problems.length > 0) throw new Error(`${file}:\n${problems.join('\n')}`);
        return result?.code ?? undefined;
      });
    },
  };
}

const typescript = [require.resolve('@babel/preset-typescript'), {}];

export const BABEL_BACKENDS: Backend[] = [
  // An engine without async functions: preset-env turns them into generators driven by _asyncToGenerator.
  babelBackend({
    name: 'babel-env-node6-cjs',
    format: 'cjs',
    presets: [typescript, [require.resolve('@babel/preset-env'), { targets: { node: '6' }, modules: 'commonjs' }]],
  }),
  // The same in a browser without async functions, keeping ES modules: the helpers come in through `import`.
  babelBackend({
    name: 'babel-env-chrome54-esm',
    format: 'esm',
    presets: [typescript, [require.resolve('@babel/preset-env'), { targets: { chrome: '54' }, modules: false }]],
  }),
  // React Native's preset as Metro runs it (TypeScript, CommonJS, async-to-generator, @babel/runtime helpers).
  babelBackend({
    name: 'babel-react-native-cjs',
    format: 'cjs',
    presets: [[require.resolve('@react-native/babel-preset'), { dev: true }]],
  }),
  // Hermes V1 in development: async functions and generators become regenerator state machines.
  babelBackend({
    name: 'babel-react-native-hermes-v1-dev-cjs',
    format: 'cjs',
    presets: [[require.resolve('@react-native/babel-preset'), { dev: true, unstable_transformProfile: 'hermes-stable' }]],
  }),
];
