/** Small PromQL building blocks shared by every generated expression. */

/** Escapes a label value for a double-quoted PromQL string, so no value can end the string early. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n');
}

/** A selector such as `name{a="x",b=~"y"}`; matchers are `[label, operator, value]`. */
export function selector(
  metric: string,
  matchers: readonly (readonly [string, '=' | '!=' | '=~' | '!~', string])[] = [],
): string {
  if (matchers.length === 0) return metric;
  const inner = matchers.map(([label, op, value]) => `${label}${op}"${escapeLabelValue(value)}"`);
  return `${metric}{${inner.join(',')}}`;
}

/**
 * A number as a PromQL literal that parses back to exactly the same double, so that generated
 * rules and the TypeScript functions compute with identical constants.
 */
export function num(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`PromQL literal must be finite, got ${value}`);
  return Object.is(value, -0) ? '-0' : String(value);
}

/** `by (a, b)` for an aggregation. */
export function by(labels: readonly string[]): string {
  return `by (${labels.join(', ')})`;
}
