import { trace } from '@opentelemetry/api';
import type { Scenario } from '../harness/scenario.js';

const tracer = trace.getTracer('scenarios');
const sleep = (ms: number) => new Promise<void>((resolve) => setTimeout(resolve, ms));

// await in every kind of async function: declarations, expressions, arrows (block and expression bodies),
// class, object, static and private methods, class-field arrows, async IIFEs.
async function declared() {
  await sleep(1);
  tracer.startSpan('declaration').end();
}
const expressed = async function named() {
  await sleep(1);
  tracer.startSpan('expression').end();
};
const arrowExpression = async () => (await sleep(1), tracer.startSpan('arrow-expression').end());
class Service {
  #secret = 1;
  async method() {
    await sleep(1);
    tracer.startSpan('class-method').end();
  }
  static async staticMethod() {
    await sleep(1);
    tracer.startSpan('static-method').end();
  }
  async #privateMethod() {
    await sleep(1);
    tracer.startSpan('private-method').end();
    return this.#secret;
  }
  callPrivate() {
    return this.#privateMethod();
  }
  field = async () => {
    await sleep(1);
    tracer.startSpan('field-arrow').end();
    return this instanceof Service;
  };
}
const object = {
  async method() {
    await sleep(1);
    tracer.startSpan('object-method').end();
  },
};

export const scenario: Scenario = {
  expect: {
    kinds: null,
    declaration: 'kinds',
    expression: 'kinds',
    'arrow-expression': 'kinds',
    'class-method': 'kinds',
    'static-method': 'kinds',
    'private-method': 'kinds',
    'field-arrow': 'kinds',
    'object-method': 'kinds',
    iife: 'kinds',
  },
  run: async (log) => {
    await tracer.startActiveSpan('kinds', async (span) => {
      const service = new Service();
      await Promise.all([declared(), expressed(), arrowExpression(), service.method(), Service.staticMethod(), object.method()]);
      log(['private', await service.callPrivate()]);
      log(['field this', await service.field()]);
      await (async () => {
        await sleep(1);
        tracer.startSpan('iife').end();
      })();
      span.end();
    });
  },
};
