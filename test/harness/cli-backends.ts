/** Conformance backends for the cli integration (see backends.ts for the interface). */
import type { Backend } from './backends.js';

export const CLI_BACKENDS: Backend[] = [];
