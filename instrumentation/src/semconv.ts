/**
 * Instrument, span and attribute names of the presized-map telemetry. They are a contract:
 * dashboards, alert rules and the Grafana datasource query the Prometheus names that
 * instrumentation/docs/telemetry.md derives from these.
 */
export const ATTR_MAP_NAME = 'presize.map.name';
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
/** Native `Map` and `Set` only: entries the engine lets one of them hold. */
export const METRIC_MAP_ENGINE_LIMIT = 'presize.map.engine_limit';
/** Native `Map` and `Set` only: entries over the engine limit, of the fullest one of the series. */
export const METRIC_MAP_ENGINE_LIMIT_USAGE = 'presize.map.engine_limit.usage';
/** Native `Map` and `Set` only: table doublings left before the engine limit, of the fullest one. */
export const METRIC_MAP_ENGINE_LIMIT_DOUBLINGS_LEFT = 'presize.map.engine_limit.doublings_left';

export const SPAN_MAP_GROW = 'presize.map.grow';

export const ATTR_MAP_ID = 'presize.map.id';
export const ATTR_GROWTH_OLD_BUCKETS = 'presize.map.growth.old_buckets';
export const ATTR_GROWTH_NEW_BUCKETS = 'presize.map.growth.new_buckets';
/** Entries in the map when the growth started. */
export const ATTR_GROWTH_SIZE = 'presize.map.growth.size';
/** Writes that did evacuation work for the growth. */
export const ATTR_GROWTH_EVACUATION_STEPS = 'presize.map.growth.evacuation.steps';
/** Seconds spent evacuating, summed over those writes. */
export const ATTR_GROWTH_EVACUATION_DURATION = 'presize.map.growth.evacuation.duration';
/** Seconds the starting insert spent allocating the new bucket array. */
export const ATTR_GROWTH_ALLOCATION_DURATION = 'presize.map.growth.allocation.duration';
/** `completed` when evacuation finished, `cleared` when `clear()` abandoned the growth. */
export const ATTR_GROWTH_OUTCOME = 'presize.map.growth.outcome';
export const ATTR_EVACUATION_BUCKETS = 'presize.map.evacuation.buckets';
export const ATTR_EVACUATION_ENTRIES = 'presize.map.evacuation.entries';
export const ATTR_EVACUATION_PROGRESS = 'presize.map.evacuation.progress';
export const ATTR_EVACUATION_DURATION = 'presize.map.evacuation.duration';

export const METRIC_MAP_GROWTH_ALLOCATION_DURATION = 'presize.map.growth.allocation.duration';

/** Event on the span active when an operation started a growth. */
export const EVENT_MAP_GROWTH_STARTED = 'presize.map.growth.started';
/** Event on the span active when an operation spent longer than the threshold evacuating. */
export const EVENT_MAP_EVACUATION_STALL = 'presize.map.evacuation.stalled';
/** Optional, sampled event on a growth span for one evacuation step. */
export const EVENT_MAP_EVACUATION = 'presize.map.evacuation';

// lru-cache instances, from lru-cache's own diagnostics channels (see src/lru/).
/** The cache's name from `nameCache(cache, name)`; `_unnamed` for caches never named. */
export const ATTR_LRU_NAME = 'presize.lru.name';
/** `get`, `set`, `has`, `peek`, `delete`, `memo`, `fetch`. */
export const ATTR_LRU_OPERATION = 'presize.lru.operation';
/** What lru-cache reported for the operation: `hit`, `miss`, `stale`, `add`, `replace`, ... */
export const ATTR_LRU_RESULT = 'presize.lru.result';
/** How a fetch settled: `resolved`, `rejected` or `aborted`. */
export const ATTR_LRU_FETCH_OUTCOME = 'presize.lru.fetch.outcome';
/** Version of an lru-cache module that cannot be observed. */
export const ATTR_LRU_VERSION = 'presize.lru.version';

export const METRIC_LRU_OPERATIONS = 'presize.lru.operations';
export const METRIC_LRU_EVICTIONS = 'presize.lru.evictions';
export const METRIC_LRU_FETCH_DURATION = 'presize.lru.fetch.duration';
export const METRIC_LRU_ENTRIES = 'presize.lru.entries';
export const METRIC_LRU_MAX = 'presize.lru.max';
export const METRIC_LRU_CALCULATED_SIZE = 'presize.lru.calculated_size';
export const METRIC_LRU_MAX_SIZE = 'presize.lru.max_size';
export const METRIC_LRU_UNOBSERVABLE = 'presize.lru.unobservable';
