/**
 * PromQL text built from label values that users (and template variables) supply. Every value is
 * escaped here, so a value such as `a"} or vector(1) #` stays a label value and never becomes
 * PromQL.
 */

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const REGEX_META = /[\\^$.*+?()[\]{}|]/g;

/** A label and the values it may take; no values means any value. */
export interface LabelFilter {
  label: string;
  values: readonly string[];
}

export function assertLabelName(label: string): string {
  if (!LABEL_NAME.test(label)) {
    throw new Error(`"${label}" is not a Prometheus label name (letters, digits and _, not starting with a digit)`);
  }
  return label;
}

/** Escapes a value for a double-quoted PromQL string literal. */
export function quoteString(value: string): string {
  return `"${value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r')}"`;
}

/** Escapes a literal value so that an RE2 regular expression matches exactly it. */
export function escapeRegex(value: string): string {
  return value.replace(REGEX_META, '\\$&');
}

/** One matcher: `label="v"` for a single value, `label=~"v1|v2"` for several (Prometheus anchors regexes). */
export function matcher(filter: LabelFilter): string | undefined {
  const label = assertLabelName(filter.label);
  const values = [...new Set(filter.values)];
  if (values.length === 0) {return undefined;}
  if (values.length === 1) {return `${label}=${quoteString(values[0]!)}`;}
  return `${label}=~${quoteString(values.map(escapeRegex).join('|'))}`;
}

/** `metric{a="x",b=~"y|z"}`; filters without values are left out. */
export function selector(metric: string, filters: readonly LabelFilter[] = []): string {
  assertMetricName(metric);
  const matchers = filters.map(matcher).filter((m): m is string => m !== undefined);
  return matchers.length ? `${metric}{${matchers.join(',')}}` : metric;
}

export function assertMetricName(metric: string): string {
  if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(metric)) {
    throw new Error(`"${metric}" is not a Prometheus metric name`);
  }
  return metric;
}

/** A PromQL duration in whole seconds, at least one second: `300s`. */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new Error(`a PromQL range must be a positive number of seconds, got ${seconds}`);
  }
  return `${Math.max(1, Math.round(seconds))}s`;
}

/** `by (a, b)` with checked label names. */
export function by(labels: readonly string[]): string {
  return `by (${labels.map(assertLabelName).join(', ')})`;
}
