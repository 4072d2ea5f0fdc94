/**
 * CompiledContextManager.bind(ctx, emitter or target). The EventEmitter tests are ported from
 * OpenTelemetry's own suite for its AsyncLocalStorage manager:
 * open-telemetry/opentelemetry-js, packages/opentelemetry-context-async-hooks/test/AsyncHooksContextManager.test.ts,
 * describe('.bind(event-emitter)') (Apache-2.0, Copyright The OpenTelemetry Authors), in vitest's
 * style; the EventTarget ones follow packages/opentelemetry-context-zone-peer-dep/test/ZoneContextManager.test.ts.
 * On today's main bind() returned emitters unchanged: each of these saw the root context.
 */
import { EventEmitter } from 'node:events';
import { createContextKey, ROOT_CONTEXT } from '@opentelemetry/api';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
// The Node entry: it enables binding of emitters and targets as it loads.
import { CompiledContextManager } from '../src/runtime/node.js';

describe('CompiledContextManager .bind(event-emitter) (ported from OpenTelemetry)', () => {
  let contextManager: CompiledContextManager;
  let otherContextManager: CompiledContextManager | undefined;
  const key1 = createContextKey('test key 1');

  beforeEach(() => {
    contextManager = new CompiledContextManager().enable();
  });
  afterEach(() => {
    contextManager.disable();
    otherContextManager?.disable();
  });

  it('should return the same target (when enabled)', () => {
    const ee = new EventEmitter();
    expect(contextManager.bind(ROOT_CONTEXT, ee)).toBe(ee);
  });

  it('should return the same target (when disabled)', () => {
    const ee = new EventEmitter();
    contextManager.disable();
    expect(contextManager.bind(ROOT_CONTEXT, ee)).toBe(ee);
  });

  it('should return current context and removeListener (when enabled)', () => {
    const ee = new EventEmitter();
    const context = ROOT_CONTEXT.setValue(key1, 1);
    const patchedEE = contextManager.bind(context, ee);
    let ran = false;
    const handler = () => {
      expect(contextManager.active()).toBe(context);
      patchedEE.removeListener('test', handler);
      expect(patchedEE.listeners('test').length).toBe(0);
      ran = true;
    };
    patchedEE.on('test', handler);
    expect(patchedEE.listeners('test').length).toBe(1);
    patchedEE.emit('test');
    expect(ran).toBe(true);
  });

  it('should return current context and removeAllListener (when enabled)', () => {
    const ee = new EventEmitter();
    const context = ROOT_CONTEXT.setValue(key1, 1);
    const patchedEE = contextManager.bind(context, ee);
    let ran = false;
    const handler = () => {
      expect(contextManager.active()).toBe(context);
      patchedEE.removeAllListeners('test');
      expect(patchedEE.listeners('test').length).toBe(0);
      ran = true;
    };
    patchedEE.on('test', handler);
    expect(patchedEE.listeners('test').length).toBe(1);
    patchedEE.emit('test');
    expect(ran).toBe(true);
  });

  it('should remove event handler enabled by .once using removeListener (when enabled)', () => {
    const ee = new EventEmitter();
    const context = ROOT_CONTEXT.setValue(key1, 1);
    const patchedEE = contextManager.bind(context, ee);
    function handler() {}
    patchedEE.once('test', handler);
    expect(patchedEE.listeners('test').length).toBe(1);
    patchedEE.removeListener('test', handler);
    expect(patchedEE.listeners('test').length).toBe(0);
  });

  it('should remove event handler enabled by .once using off (when enabled)', () => {
    const ee = new EventEmitter();
    const context = ROOT_CONTEXT.setValue(key1, 1);
    const patchedEE = contextManager.bind(context, ee);
    const handler = () => {};
    patchedEE.once('test', handler);
    expect(patchedEE.listeners('test').length).toBe(1);
    patchedEE.off('test', handler);
    expect(patchedEE.listeners('test').length).toBe(0);
  });

  it('should return current context and removeAllListeners (when enabled)', () => {
    const ee = new EventEmitter();
    const context = ROOT_CONTEXT.setValue(key1, 1);
    const patchedEE = contextManager.bind(context, ee);
    let ran = false;
    const handler = () => {
      expect(contextManager.active()).toBe(context);
      patchedEE.removeAllListeners();
      expect(patchedEE.listeners('test').length).toBe(0);
      expect(patchedEE.listeners('test1').length).toBe(0);
      ran = true;
    };
    patchedEE.on('test', handler);
    patchedEE.on('test1', handler);
    expect(patchedEE.listeners('test').length).toBe(1);
    expect(patchedEE.listeners('test1').length).toBe(1);
    patchedEE.emit('test');
    expect(ran).toBe(true);
  });

  it('should return context (when disabled)', () => {
    contextManager.disable();
    const ee = new EventEmitter();
    const context = ROOT_CONTEXT.setValue(key1, 1);
    const patchedEE = contextManager.bind(context, ee);
    let ran = false;
    const handler = () => {
      expect(contextManager.active()).toBe(context);
      patchedEE.removeListener('test', handler);
      expect(patchedEE.listeners('test').length).toBe(0);
      ran = true;
    };
    patchedEE.on('test', handler);
    expect(patchedEE.listeners('test').length).toBe(1);
    patchedEE.emit('test');
    expect(ran).toBe(true);
  });

  it('should not influence other instances', () => {
    const ee = new EventEmitter();
    otherContextManager = new CompiledContextManager().enable();
    const context = ROOT_CONTEXT.setValue(key1, 2);
    const otherContext = ROOT_CONTEXT.setValue(key1, 3);
    const patchedEE = otherContextManager.bind(otherContext, contextManager.bind(context, ee));
    let ran = false;
    const handler = () => {
      expect(contextManager.active()).toBe(context);
      expect(otherContextManager!.active()).toBe(otherContext);
      ran = true;
    };
    patchedEE.on('test', handler);
    patchedEE.emit('test');
    expect(ran).toBe(true);
  });
});

describe('CompiledContextManager .bind(event-target)', () => {
  const key1 = createContextKey('test key 1');
  let contextManager: CompiledContextManager;
  beforeEach(() => {
    contextManager = new CompiledContextManager().enable();
  });
  afterEach(() => {
    contextManager.disable();
  });

  it('binds the listeners added to a target, handleEvent objects too, and removes them with the original', () => {
    const target = new EventTarget();
    const context = ROOT_CONTEXT.setValue(key1, 1);
    expect(contextManager.bind(context, target)).toBe(target);
    const seen: unknown[] = [];
    const listener = () => seen.push(contextManager.active().getValue(key1));
    const object = { handleEvent: () => seen.push(contextManager.active().getValue(key1)) };
    target.addEventListener('click', listener);
    target.addEventListener('click', listener);
    target.addEventListener('click', object);
    target.dispatchEvent(new Event('click'));
    expect(seen).toEqual([1, 1]);
    target.removeEventListener('click', listener);
    target.removeEventListener('click', object);
    target.dispatchEvent(new Event('click'));
    expect(seen).toEqual([1, 1]);
  });

  it('leaves other objects alone', () => {
    const plain = { on: () => 'mine' };
    expect(contextManager.bind(ROOT_CONTEXT, plain)).toBe(plain);
    expect(plain.on()).toBe('mine');
  });
});
