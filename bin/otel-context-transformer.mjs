#!/usr/bin/env node
// The `otel-context-transformer` command (apply, report): see src/cli/index.ts or --help.
import { createRequire } from 'node:module';
import { main } from '../dist/esm/cli/index.js';

const { version } = createRequire(import.meta.url)('../package.json');
process.exitCode = await main(process.argv.slice(2), { version });
