/** promtool input series: a selector and a value list, one value per minute. */
export interface InputSeries {
  series: string;
  values: string;
}

/** Samples per series (minutes 0 to 119) and the evaluation time of every generated test. */
export const SAMPLES = 120;
export const EVAL_MINUTE = 110;
export const EVAL_TIME = `${EVAL_MINUTE}m`;

export function seriesName(metric: string, labels: Record<string, string>): string {
  const inner = Object.entries(labels)
    .map(([k, v]) => `${k}=${JSON.stringify(v)}`)
    .join(', ');
  return `${metric}{${inner}}`;
}

/** A value per minute from a function of the minute index. */
export function perMinute(
  metric: string,
  labels: Record<string, string>,
  value: (minute: number) => number,
): InputSeries {
  const values = Array.from({ length: SAMPLES }, (_, i) => String(value(i)));
  return { series: seriesName(metric, labels), values: values.join(' ') };
}

export const constant = (metric: string, labels: Record<string, string>, v: number): InputSeries =>
  perMinute(metric, labels, () => v);
