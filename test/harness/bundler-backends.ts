/** Conformance backends for the bundler integration (see backends.ts for the interface). */
import type { Backend } from './backends.js';

export const BUNDLER_BACKENDS: Backend[] = [];
