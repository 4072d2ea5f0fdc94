/** Conformance backends for the babel integration (see backends.ts for the interface). */
import type { Backend } from './backends.js';

export const BABEL_BACKENDS: Backend[] = [];
