export { PresizedMapInstrumentation } from './instrumentation/instrumentation.js';
export type { GrowthPoint, MapGauges, MapSeriesConsumer, MapSeriesPoint } from './instrumentation/instrumentation.js';
export { ATTR_METRIC_OVERFLOW, OVERFLOW_NAME } from './cardinality-cap.js';
export { UNNAMED_SERIES_NAME } from './instrumentation/series.js';
export type { HistogramSnapshot } from './instrumentation/histogram-aggregate.js';
export type {
  EvacuationEventsConfig,
  MetricsExport,
  PresizedMapInstrumentationConfig,
} from './instrumentation/types.js';
export { mapMetricsProducer } from './instrumentation/map-metrics-producer.js';
export {
  EVACUATION_STALL_BUCKETS,
  GROWTH_ALLOCATION_BUCKETS,
  GROWTH_DURATION_BUCKETS,
} from './instrumentation/buckets.js';
export { observeMap, observedMap, observeSet, observedSet } from './native/observe-map.js';
export { ENGINE_LIMIT_ENV, engineLimit, engineLimitOfVersions, resolveEngineLimit } from './native/engine-limit.js';
export type { EngineLimit } from './native/engine-limit.js';
export type { NativeMapStats, ObserveMapOptions, ObservedNativeMap } from './native/observe-map.js';
export { DEFAULT_NATIVE_MAPS_MIN, installNativeMapObserver } from './native/zero-code.js';
export type { NativeMapObserver } from './native/zero-code.js';
export { LruCacheInstrumentation } from './lru/instrumentation.js';
export { nameCache } from './lru/cache-names.js';
export type { LruCacheInstrumentationConfig } from './lru/types.js';
export * from './semconv.js';
