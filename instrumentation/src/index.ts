export { PresizedMapInstrumentation } from './instrumentation/instrumentation.js';
export type { EvacuationStallPoint } from './instrumentation/instrumentation.js';
export type { HistogramSnapshot } from './instrumentation/histogram-aggregate.js';
export type {
  EvacuationEventsConfig,
  EvacuationStallExport,
  PresizedMapInstrumentationConfig,
} from './instrumentation/types.js';
export { evacuationStallProducer } from './instrumentation/evacuation-stall-producer.js';
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
