// Histogram bucket boundaries, in seconds. They are part of the telemetry contract: the `le`
// labels dashboards and alert rules read are these values. Default OpenTelemetry boundaries
// (0, 5, 10, 25, ... 10000) suit milliseconds and would put every observation in one bucket.

/** One operation's evacuation work: a couple of buckets, microseconds when healthy. */
export const EVACUATION_STALL_BUCKETS: readonly number[] = [
  0.000001, 0.0000025, 0.000005, 0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025,
  0.05, 0.1,
];

/** Growth start to the last evacuation: as long as the writes take to arrive. */
export const GROWTH_DURATION_BUCKETS: readonly number[] = [
  0.0001, 0.0005, 0.001, 0.005, 0.01, 0.05, 0.1, 0.5, 1, 5, 10, 30, 60, 300, 900, 3600,
];

/** The insert that starts a growth allocates the new bucket array. */
export const GROWTH_ALLOCATION_BUCKETS: readonly number[] = [
  0.00001, 0.000025, 0.00005, 0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1,
];
