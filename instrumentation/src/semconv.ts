/**
 * Instrument, span and attribute names of the presized-map telemetry. They are a contract:
 * dashboards, alert rules and the Grafana datasource query the Prometheus names that
 * instrumentation/docs/telemetry.md derives from these.
 */
export const ATTR_MAP_NAME = 'presize.map.name';
export const ATTR_MAP_SHARD = 'presize.map.shard';
export const ATTR_GROWTH_KIND = 'presize.map.growth.kind';
export const ATTR_GROWTH_TRIGGER = 'presize.map.growth.trigger';
export const ATTR_OVERFLOW_SOURCE = 'presize.map.overflow.source';

export const METRIC_MAP_GROWTHS = 'presize.map.growths';
export const METRIC_MAP_EVACUATED_BUCKETS = 'presize.map.evacuated_buckets';
export const METRIC_MAP_OVERFLOW_ALLOCATIONS = 'presize.map.overflow_allocations';
export const METRIC_MAP_GROWTH_DURATION = 'presize.map.growth.duration';
export const METRIC_MAP_EVACUATION_STALL = 'presize.map.evacuation.stall';
export const METRIC_MAP_ENTRIES = 'presize.map.entries';
export const METRIC_MAP_BUCKETS = 'presize.map.buckets';
export const METRIC_MAP_OVERFLOW_BUCKETS = 'presize.map.overflow_buckets';
export const METRIC_MAP_LOAD_FACTOR = 'presize.map.load_factor';
export const METRIC_MAP_HINT = 'presize.map.hint';
export const METRIC_MAP_GROWING = 'presize.map.growing';
export const METRIC_MAP_EVACUATION_PROGRESS = 'presize.map.evacuation.progress';
export const METRIC_MAP_NEXT_GROWTH_AT = 'presize.map.next_growth_at';

export const SPAN_MAP_GROW = 'presize.map.grow';
