/**
 * Prometheus names of the telemetry contract, as the OpenTelemetry Prometheus exporter writes them
 * from the instrument names in `@presize/instrumentation`'s semconv: `.` becomes `_`, monotonic
 * counters gain `_total`, histograms become `_bucket`/`_sum`/`_count`, and no unit suffix is added.
 */
export const PROM_MAP_GROWTHS_TOTAL = 'presize_map_growths_total';
export const PROM_MAP_EVACUATED_BUCKETS_TOTAL = 'presize_map_evacuated_buckets_total';
export const PROM_MAP_OVERFLOW_ALLOCATIONS_TOTAL = 'presize_map_overflow_allocations_total';
/** Histogram base name; read `_bucket`, `_sum` and `_count` of it. */
export const PROM_MAP_GROWTH_DURATION = 'presize_map_growth_duration';
/** Histogram base name: seconds of evacuation work one write paid. */
export const PROM_MAP_EVACUATION_STALL = 'presize_map_evacuation_stall';
export const PROM_MAP_ENTRIES = 'presize_map_entries';
export const PROM_MAP_BUCKETS = 'presize_map_buckets';
export const PROM_MAP_OVERFLOW_BUCKETS = 'presize_map_overflow_buckets';
export const PROM_MAP_LOAD_FACTOR = 'presize_map_load_factor';
export const PROM_MAP_HINT = 'presize_map_hint';
export const PROM_MAP_GROWING = 'presize_map_growing';
export const PROM_MAP_EVACUATION_PROGRESS = 'presize_map_evacuation_progress';
export const PROM_MAP_NEXT_GROWTH_AT = 'presize_map_next_growth_at';
/** Native `Map` and `Set` only: entries the running engine lets one of them hold. */
export const PROM_MAP_ENGINE_LIMIT = 'presize_map_engine_limit';
/** Native `Map` and `Set` only: entries over the engine limit, of the fullest one of the series (0 to 1). */
export const PROM_MAP_ENGINE_LIMIT_USAGE = 'presize_map_engine_limit_usage';
/** Native `Map` and `Set` only: table doublings left before the engine limit; at 0 the next full table throws. */
export const PROM_MAP_ENGINE_LIMIT_DOUBLINGS_LEFT = 'presize_map_engine_limit_doublings_left';

/** Label names derived from the semconv attributes the same way (`.` becomes `_`). */
export const LABEL_MAP_NAME = 'presize_map_name';
export const LABEL_GROWTH_KIND = 'presize_map_growth_kind';
export const LABEL_GROWTH_TRIGGER = 'presize_map_growth_trigger';
/** The service: set by the scrape config, or from `service.name` by OTLP ingestion. */
export const LABEL_SERVICE = 'job';

export const GROWTH_KIND_DOUBLE = 'double';
export const GROWTH_KIND_SAME_SIZE = 'same_size';
/** A native `Map` watched with `observeMap` rebuilt its table (larger or same size). */
export const GROWTH_KIND_V8_REHASH = 'v8_rehash';
/** A native `Map` rebuilt its table at half size. */
export const GROWTH_KIND_V8_SHRINK = 'v8_shrink';
/** A native `Map`'s rebuild because live plus deleted entries filled its table: it doubles. */
export const GROWTH_TRIGGER_V8_CAPACITY = 'capacity';
/** A native `Map`'s rebuild at the same capacity, to drop the slots of deleted entries. */
export const GROWTH_TRIGGER_V8_DELETED_ENTRIES = 'deleted_entries';

/** lru-cache instances, from lru-cache's own diagnostics channels (11.3+) or Presize's patch of its class (7.18 to 11.2); the telemetry contract's lru-cache section. */
export const PROM_LRU_OPERATIONS_TOTAL = 'presize_lru_operations_total';
export const PROM_LRU_EVICTIONS_TOTAL = 'presize_lru_evictions_total';
export const PROM_LRU_ENTRIES = 'presize_lru_entries';
/** The cache's `max` option; 0 for a cache bounded only by size or age. */
export const PROM_LRU_MAX = 'presize_lru_max';
/** Reported only by caches with `maxSize` or `maxEntrySize`. */
export const PROM_LRU_CALCULATED_SIZE = 'presize_lru_calculated_size';
export const PROM_LRU_MAX_SIZE = 'presize_lru_max_size';
export const LABEL_LRU_NAME = 'presize_lru_name';
export const LABEL_LRU_OPERATION = 'presize_lru_operation';
export const LABEL_LRU_RESULT = 'presize_lru_result';
export const LRU_OPERATION_GET = 'get';
export const LRU_RESULT_HIT = 'hit';
export const LRU_RESULT_MISS = 'miss';

/** dcgm-exporter field names (DCGM_FI_*), as it exports them. */
export const DCGM_GPU_UTIL = 'DCGM_FI_DEV_GPU_UTIL';
export const DCGM_FB_USED = 'DCGM_FI_DEV_FB_USED';
export const DCGM_FB_FREE = 'DCGM_FI_DEV_FB_FREE';
/** The code of the last XID error (a gauge; 0 when none). */
export const DCGM_XID_ERRORS = 'DCGM_FI_DEV_XID_ERRORS';
/** NVML's bitmask of clock event (throttle) reasons, as DCGM 3.3+ and Presize name it. */
export const DCGM_CLOCK_EVENT_REASONS = 'DCGM_FI_DEV_CLOCKS_EVENT_REASONS';
/** The same bitmask under its name before DCGM 3.3; rules and dashboards read either. */
export const DCGM_CLOCK_THROTTLE_REASONS = 'DCGM_FI_DEV_CLOCK_THROTTLE_REASONS';
export const DCGM_POWER_USAGE = 'DCGM_FI_DEV_POWER_USAGE';
export const DCGM_GPU_TEMP = 'DCGM_FI_DEV_GPU_TEMP';
export const DCGM_MEMORY_TEMP = 'DCGM_FI_DEV_MEMORY_TEMP';
export const DCGM_SM_CLOCK = 'DCGM_FI_DEV_SM_CLOCK';
export const DCGM_MEM_COPY_UTIL = 'DCGM_FI_DEV_MEM_COPY_UTIL';
/** 1 while Presize could read its GPU source at the last try, 0 after a failed read; one series per source (labelled `presize_gpu_source`), not per GPU. */
export const PROM_GPU_UP = 'presize_gpu_up';

/** Every map series name, by what it measures: for code that reads or writes many of them. */
export const MAP_METRIC_NAMES = {
  growths: PROM_MAP_GROWTHS_TOTAL,
  evacuatedBuckets: PROM_MAP_EVACUATED_BUCKETS_TOTAL,
  overflowAllocations: PROM_MAP_OVERFLOW_ALLOCATIONS_TOTAL,
  growthDuration: PROM_MAP_GROWTH_DURATION,
  evacuationStall: PROM_MAP_EVACUATION_STALL,
  entries: PROM_MAP_ENTRIES,
  buckets: PROM_MAP_BUCKETS,
  overflowBuckets: PROM_MAP_OVERFLOW_BUCKETS,
  loadFactor: PROM_MAP_LOAD_FACTOR,
  hint: PROM_MAP_HINT,
  growing: PROM_MAP_GROWING,
  evacuationProgress: PROM_MAP_EVACUATION_PROGRESS,
  nextGrowthAt: PROM_MAP_NEXT_GROWTH_AT,
  engineLimit: PROM_MAP_ENGINE_LIMIT,
  engineLimitUsage: PROM_MAP_ENGINE_LIMIT_USAGE,
  engineLimitDoublingsLeft: PROM_MAP_ENGINE_LIMIT_DOUBLINGS_LEFT,
} as const;

/** Every lru-cache series name, by what it measures. */
export const LRU_METRIC_NAMES = {
  operations: PROM_LRU_OPERATIONS_TOTAL,
  evictions: PROM_LRU_EVICTIONS_TOTAL,
  entries: PROM_LRU_ENTRIES,
  max: PROM_LRU_MAX,
  calculatedSize: PROM_LRU_CALCULATED_SIZE,
  maxSize: PROM_LRU_MAX_SIZE,
} as const;

/** The dcgm-exporter fields Presize reads, by what each measures. */
export const DCGM_FIELD_NAMES = {
  gpuUtil: DCGM_GPU_UTIL,
  memCopyUtil: DCGM_MEM_COPY_UTIL,
  fbUsed: DCGM_FB_USED,
  fbFree: DCGM_FB_FREE,
  gpuTemp: DCGM_GPU_TEMP,
  memoryTemp: DCGM_MEMORY_TEMP,
  powerUsage: DCGM_POWER_USAGE,
  smClock: DCGM_SM_CLOCK,
  xidErrors: DCGM_XID_ERRORS,
  clockEventReasons: DCGM_CLOCK_EVENT_REASONS,
  clockThrottleReasons: DCGM_CLOCK_THROTTLE_REASONS,
} as const;

/**
 * Labels that identify one GPU. dcgm-exporter renamed `Hostname` to `hostname`; both are kept so
 * that either exporter generation works.
 */
export const GPU_KEY_LABELS = ['job', 'instance', 'gpu', 'UUID', 'modelName', 'Hostname', 'hostname'] as const;

/** Labels that identify one map: the service and the map's name. */
export const MAP_KEY_LABELS = [LABEL_SERVICE, LABEL_MAP_NAME] as const;

/** Labels that identify one lru-cache: the service and the cache's name. */
export const LRU_KEY_LABELS = [LABEL_SERVICE, LABEL_LRU_NAME] as const;
