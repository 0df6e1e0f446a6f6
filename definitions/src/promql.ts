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

/**
 * Increase of a counter over a window, counting a series born within the window in full. The
 * exporter shows a counter's series only from its first increment on, so a map that grew four
 * times before its first scrape appears at 4, and `increase()` alone would see no increase.
 */
export function increaseSinceBirth(series: string, window: string): string {
  return `(increase(${series}[${window}]) and ${series} offset ${window}) or ${series}`;
}
