export * from './map/channels.js';
export type { PresizedMapStats } from './map/stats.js';
export * from './semconv.js';
export { BoundedList, appendBounded, MAX_BOUNDED_CAPACITY } from './map/bounded-list.js';
export type { MapOfLists } from './map/bounded-list.js';
export { PresizedMapInstrumentation } from './instrumentation/instrumentation.js';
export type { EvacuationStallPoint } from './instrumentation/instrumentation.js';
export type { HistogramSnapshot } from './instrumentation/histogram-aggregate.js';
export type {
  EvacuationEventsConfig,
  EvacuationStallExport,
  PresizedMapInstrumentationConfig,
} from './instrumentation/types.js';
export { evacuationStallProducer } from './sdk/evacuation-stall-producer.js';
export {
  EVACUATION_STALL_BUCKETS,
  GROWTH_ALLOCATION_BUCKETS,
  GROWTH_DURATION_BUCKETS,
} from './instrumentation/buckets.js';
export {
  BYTES_PER_BUCKET,
  DEFAULT_HEADROOM,
  GO_STRING_SLICE_BUCKET_BYTES,
  bucketsForHint,
  planCapacity,
  tableBytes,
} from './map/planner.js';
export type { BucketPlan, CapacityInput, CapacityPlan } from './map/planner.js';
export { PresizedMap } from './map/presized-map.js';
export type { PresizedMapOptions } from './map/presized-map.js';
export { hashHigh, hashKey, hashNumber, hashString, topHash } from './map/hash.js';
export * from './gpu/index.js';
export { observeMap, observedMap, observeSet, observedSet } from './native/observe-map.js';
export { ENGINE_LIMIT_ENV, engineLimit, engineLimitOfVersions } from './native/engine-limit.js';
export type { EngineLimit } from './native/engine-limit.js';
export type { NativeMapStats, ObserveMapOptions, ObservedNativeMap } from './native/observe-map.js';
export { DEFAULT_NATIVE_MAPS_MIN, installNativeMapObserver } from './native/zero-code.js';
export type { NativeMapObserver } from './native/zero-code.js';
export { LruCacheInstrumentation } from './lru/instrumentation.js';
export { nameCache } from './lru/cache-names.js';
export type { LruCacheInstrumentationConfig } from './lru/types.js';
export { ShardedMap, DEFAULT_SHARDS, MAX_SHARDS } from './map/sharded-map.js';
export type { ShardedMapOptions, ShardedMapStats } from './map/sharded-map.js';
