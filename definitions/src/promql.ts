/**
 * PromQL text built from names and values: the one place where anything becomes PromQL, for the
 * generated rules and for the Grafana datasource alike. Every value is escaped here, so a value
 * such as `a"} or vector(1) #` stays a label value and never becomes PromQL.
 */

const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const METRIC_NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const REGEX_META = /[\\^$.*+?()[\]{}|]/g;

export function assertLabelName(label: string): string {
  if (!LABEL_NAME.test(label)) {
    throw new Error(`"${label}" is not a Prometheus label name (letters, digits and _, not starting with a digit)`);
  }
  return label;
}

export function assertMetricName(metric: string): string {
  if (!METRIC_NAME.test(metric)) {
    throw new Error(`"${metric}" is not a Prometheus metric name`);
  }
  return metric;
}

/** Escapes a label value for a double-quoted PromQL string, so no value can end the string early. */
export function escapeLabelValue(value: string): string {
  return value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/** A double-quoted PromQL string literal holding exactly `value`. */
export function quoteString(value: string): string {
  return `"${escapeLabelValue(value)}"`;
}

/** Escapes a literal value so that an RE2 regular expression matches exactly it. */
export function escapeRegex(value: string): string {
  return value.replace(REGEX_META, '\\$&');
}

/** A selector such as `name{a="x",b=~"y"}`; matchers are `[label, operator, value]`. */
export function selector(
  metric: string,
  matchers: readonly (readonly [string, '=' | '!=' | '=~' | '!~', string])[] = [],
): string {
  assertMetricName(metric);
  if (matchers.length === 0) return metric;
  const inner = matchers.map(([label, op, value]) => `${assertLabelName(label)}${op}${quoteString(value)}`);
  return `${metric}{${inner.join(',')}}`;
}

/**
 * A label and what it may be: any of `values` exactly, or a full match of `pattern` (an RE2
 * expression, e.g. a dashboard variable's custom All value). Neither means any value.
 */
export interface LabelFilter {
  readonly label: string;
  readonly values: readonly string[];
  readonly pattern?: string;
}

/** One matcher: `label="v"` for a single value, `label=~"v1|v2"` otherwise (Prometheus anchors regexes); none for any value. */
export function matcher(filter: LabelFilter): string | undefined {
  const label = assertLabelName(filter.label);
  const values = [...new Set(filter.values)];
  if (filter.pattern === undefined) {
    if (values.length === 0) return undefined;
    if (values.length === 1) return `${label}=${quoteString(values[0]!)}`;
  }
  const alternatives = [...values.map(escapeRegex), ...(filter.pattern === undefined ? [] : [`(?:${filter.pattern})`])];
  return `${label}=~${quoteString(alternatives.join('|'))}`;
}

/** `metric{a="x",b=~"y|z"}` from label filters; filters that allow any value are left out. */
export function filterSelector(metric: string, filters: readonly LabelFilter[] = []): string {
  assertMetricName(metric);
  const matchers = filters.map(matcher).filter((m): m is string => m !== undefined);
  return matchers.length ? `${metric}{${matchers.join(',')}}` : metric;
}

/**
 * A number as a PromQL literal that parses back to exactly the same double, so that generated
 * rules and the TypeScript functions compute with identical constants.
 */
export function num(value: number): string {
  if (!Number.isFinite(value)) throw new RangeError(`PromQL literal must be finite, got ${value}`);
  return Object.is(value, -0) ? '-0' : String(value);
}

/** A PromQL duration in whole seconds, at least one second: `300s`. */
export function duration(seconds: number): string {
  if (!Number.isFinite(seconds) || seconds <= 0) {
    throw new Error(`a PromQL range must be a positive number of seconds, got ${seconds}`);
  }
  return `${Math.max(1, Math.round(seconds))}s`;
}

/** `by (a, b)` for an aggregation, with checked label names. */
export function by(labels: readonly string[]): string {
  return `by (${labels.map(assertLabelName).join(', ')})`;
}

/**
 * Increase of a counter over a window, counting a series born within the window in full. The
 * exporter shows a counter's series only from its first increment on, so a map that grew four
 * times before its first scrape appears at 4, and `increase()` alone would see no increase.
 */
export function increaseSinceBirth(series: string, window: string): string {
  return `(increase(${series}[${window}]) and ${series} offset ${window}) or ${series}`;
}
