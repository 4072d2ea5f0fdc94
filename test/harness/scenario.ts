/**
 * A scenario is a TypeScript module under test/scenarios/ exporting `scenario`.
 * Every backend compiles the same list, with and without the transform, and the
 * runner executes both on the real OTel SDK.
 */
export interface Scenario {
  /** Span name → expected parent span name (`null`: a root span). Parents must share the trace. */
  expect: Record<string, string | null>;
  /**
   * Whether compiling without the transform loses the context (a child ends up
   * under the wrong parent). False only for controls that must work either way.
   */
  breaksWithout?: boolean;
  /**
   * Generator scenarios: AsyncLocalStorage runs generator bodies in the context
   * of whoever calls next(), so under that manager they follow ALS, not the proposal.
   */
  generatorSemantics?: boolean;
  /**
   * context.attach scenarios: AsyncLocalStorageContextManager's attach (enterWith) made before an async
   * function's first await leaks into the caller (OTel documents that caveat), so under that manager they
   * follow ALS, not the semantics we give compiled code.
   */
  attachSemantics?: boolean;
  /**
   * FinalizationRegistry scenarios: AsyncLocalStorage does not carry a context into cleanup callbacks
   * (they run from a job of the engine's own), and compiled code steps aside under that manager.
   */
  finalizerSemantics?: boolean;
  /**
   * Our transform options this scenario is compiled with (by each backend the way its users pass them:
   * plugin entry, bundler or Babel plugin options, the load hook's environment variable, CLI flags).
   */
  options?: { listeners?: 'dispatch' | 'registration' };
  /** Scenarios that need ES module syntax at run time (top-level await). */
  esmOnly?: boolean;
  /**
   * Platforms the scenario cannot exist on, each with the reason. A backend for that platform
   * (Backend.platform) still runs it, and checks that it fails there the same way with and without
   * the transform, so the exclusion cannot outlive its reason. `hermes`: React Native on Hermes 0.12.
   */
  notOn?: { hermes?: string };
  /**
   * Runs the program. Events passed to `log` must not depend on context: they
   * have to be identical, in the same order, with and without the transform.
   */
  run(log: (event: unknown) => void): Promise<void>;
}

/** Globals the runner provides to scenarios (plain, uncompiled code). */
export interface Harness {
  /** Schedules fn from uncompiled code with a plain setTimeout; fn's return is ignored. */
  uncompiledSetTimeout(fn: () => void, ms?: number): void;
  /** Name of the active span as seen from uncompiled code, or undefined. */
  activeSpanName(): string | undefined;
}
