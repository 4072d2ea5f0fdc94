/** Lines of a forest of spans, children under parents; a span whose parent is not here is a root. */
export function forest(spans) {
  const ids = new Set(spans.map((s) => s.spanId));
  const children = new Map();
  for (const s of spans) {
    const key = s.parentSpanId && ids.has(s.parentSpanId) ? s.parentSpanId : 'root';
    children.set(key, [...(children.get(key) ?? []), s]);
  }
  const lines = [];
  const walk = (span, prefix, last, depth) => {
    lines.push(depth === 0 ? `● ${span.name}` : `${prefix}${last ? '└─ ' : '├─ '}${span.name}`);
    const kids = (children.get(span.spanId) ?? []).sort((a, b) => a.start - b.start || a.name.localeCompare(b.name));
    kids.forEach((k, i) => walk(k, depth === 0 ? '  ' : prefix + (last ? '   ' : '│  '), i === kids.length - 1, depth + 1));
  };
  for (const root of (children.get('root') ?? []).sort((a, b) => a.start - b.start || a.name.localeCompare(b.name)))
    walk(root, '', true, 0);
  return { lines, traces: new Set(spans.map((s) => s.traceId)).size };
}

/** Prints two forests side by side under their titles. */
export function printSideBySide(leftTitle, left, rightTitle, right) {
  const width = Math.max(...left.lines.map((l) => l.length), 44) + 4;
  const a = `${leftTitle}: ${left.traces} traces`;
  const b = `${rightTitle}: ${right.traces} traces`;
  console.log(`\n${a.padEnd(width)}${b}`);
  console.log(`${'-'.repeat(a.length).padEnd(width)}${'-'.repeat(b.length)}`);
  for (let i = 0; i < Math.max(left.lines.length, right.lines.length); i++) {
    console.log(`${(left.lines[i] ?? '').padEnd(width)}${right.lines[i] ?? ''}`);
  }
}
