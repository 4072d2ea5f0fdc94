/**
 * Rollup and rolldown ignore unplugin's `enforce: 'pre'`: plugins run in array
 * order, so a TypeScript or Babel plugin listed before ours could lower `await`
 * to generators before we see it. The transform hook's own `order: 'pre'` runs
 * it ahead of every plugin without an order, wherever it is listed.
 */
export function transformFirst<O, P>(factory: (options?: O) => P | P[]): (options?: O) => P | P[] {
  return (options) => {
    const result = factory(options);
    for (const plugin of Array.isArray(result) ? result : [result]) {
      const p = plugin as { transform?: unknown };
      if (typeof p.transform === 'function') {
        p.transform = { order: 'pre', handler: p.transform };
      } else if (p.transform && typeof p.transform === 'object') {
        const hook = p.transform as { order?: string | null };
        hook.order ??= 'pre';
      }
    }
    return result;
  };
}
