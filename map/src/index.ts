export { PresizedMap } from './presized-map.js';
export type { PresizedMapOptions } from './presized-map.js';
export type { PresizedMapStats } from './stats.js';
export { ShardedMap, DEFAULT_SHARDS, MAX_SHARDS } from './sharded-map.js';
export type { ShardedMapOptions, ShardedMapStats } from './sharded-map.js';
export { BoundedList, appendBounded, MAX_BOUNDED_CAPACITY } from './bounded-list.js';
export type { MapOfLists } from './bounded-list.js';
export {
  BYTES_PER_BUCKET,
  DEFAULT_HEADROOM,
  GO_STRING_SLICE_BUCKET_BYTES,
  bucketsForHint,
  planCapacity,
  tableBytes,
} from './planner.js';
export type { BucketPlan, CapacityInput, CapacityPlan } from './planner.js';
export { MAP_CHANNELS, subscribeMapEvents } from './events.js';
export type {
  ClearEvent,
  EvacuateEvent,
  GrowEndEvent,
  GrowStartEvent,
  GrowthKind,
  GrowthTrigger,
  MapCreateEvent,
  MapEventHandlers,
  ObservedMap,
  OverflowEvent,
} from './events.js';
