/**
 * Boundaries (seconds) of `presize.lru.fetch.duration`, part of the telemetry contract: from a
 * hit served in microseconds to a slow origin.
 */
export const LRU_FETCH_DURATION_BUCKETS: readonly number[] = [
  0.0001, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30,
];
