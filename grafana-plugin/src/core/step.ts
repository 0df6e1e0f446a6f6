/** Prometheus refuses more than 11,000 points per series. */
export const MAX_POINTS_PER_SERIES = 11_000;

/**
 * The step of a range query, in whole seconds: Grafana's interval, widened so that the panel gets
 * at most `maxDataPoints` points and Prometheus at most 11,000.
 */
export function chooseStep(rangeMs: number, intervalMs: number, maxDataPoints: number): number {
  const rangeSeconds = Math.max(0, rangeMs / 1000);
  const byInterval = intervalMs > 0 ? intervalMs / 1000 : 0;
  const byPoints = maxDataPoints > 0 ? rangeSeconds / maxDataPoints : 0;
  return Math.max(1, Math.ceil(Math.max(byInterval, byPoints, rangeSeconds / MAX_POINTS_PER_SERIES)));
}
