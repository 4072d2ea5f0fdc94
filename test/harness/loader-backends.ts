/** Conformance backends for the loader integration (see backends.ts for the interface). */
import type { Backend } from './backends.js';

export const LOADER_BACKENDS: Backend[] = [];
