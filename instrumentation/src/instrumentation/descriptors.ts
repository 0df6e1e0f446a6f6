import { ValueType } from '@opentelemetry/api';
import * as semconv from '../semconv.js';

/** Name, description, unit and value type of one of the map instruments. */
export interface MapMetricDescriptor {
  readonly name: string;
  readonly description: string;
  readonly unit: string;
  readonly valueType: ValueType;
}

const int = (name: string, description: string, unit: string): MapMetricDescriptor => ({
  name,
  description,
  unit,
  valueType: ValueType.INT,
});
const double = (name: string, description: string, unit: string): MapMetricDescriptor => ({
  name,
  description,
  unit,
  valueType: ValueType.DOUBLE,
});

/**
 * The map instruments, described once for both ways they are exported: as SDK instruments, or by
 * the MetricProducer of `metricsExport: 'metric-producer'`.
 */
export const MAP_METRICS = {
  growths: int(semconv.METRIC_MAP_GROWTHS, 'Growths started, by kind (double or same_size) and trigger.', '{growth}'),
  growthDuration: double(
    semconv.METRIC_MAP_GROWTH_DURATION,
    'Wall time from the start of a growth to its last evacuation.',
    's',
  ),
  evacuationStall: double(
    semconv.METRIC_MAP_EVACUATION_STALL,
    'Time one write spent evacuating old buckets: the stall its caller paid.',
    's',
  ),
  allocationDuration: double(
    semconv.METRIC_MAP_GROWTH_ALLOCATION_DURATION,
    'Time the insert that started a growth spent allocating the new bucket array.',
    's',
  ),
  evacuatedBuckets: int(
    semconv.METRIC_MAP_EVACUATED_BUCKETS,
    'Old buckets moved to the new bucket array by incremental evacuation.',
    '{bucket}',
  ),
  overflowAllocations: int(
    semconv.METRIC_MAP_OVERFLOW_ALLOCATIONS,
    'Overflow buckets taken, from the preallocated pool or allocated fresh.',
    '{bucket}',
  ),
  entries: int(semconv.METRIC_MAP_ENTRIES, 'Live entries.', '{entry}'),
  buckets: int(semconv.METRIC_MAP_BUCKETS, 'Main buckets (2^B).', '{bucket}'),
  overflowBuckets: int(
    semconv.METRIC_MAP_OVERFLOW_BUCKETS,
    'Overflow buckets in use in the current bucket array.',
    '{bucket}',
  ),
  loadFactor: double(semconv.METRIC_MAP_LOAD_FACTOR, 'Entries per main bucket; a doubling starts above 6.5.', '1'),
  hint: int(semconv.METRIC_MAP_HINT, 'Capacity hint the map was created with.', '{entry}'),
  growing: int(semconv.METRIC_MAP_GROWING, '1 while an evacuation is in progress.', '{growth}'),
  evacuationProgress: double(
    semconv.METRIC_MAP_EVACUATION_PROGRESS,
    'Fraction of old buckets evacuated; 1 when no growth is in progress.',
    '1',
  ),
  nextGrowthAt: int(semconv.METRIC_MAP_NEXT_GROWTH_AT, 'Entries at which the next doubling starts.', '{entry}'),
  engineLimit: int(
    semconv.METRIC_MAP_ENGINE_LIMIT,
    'Native Map and Set: entries the engine lets one of them hold; the insert past it throws.',
    '{entry}',
  ),
  engineLimitUsage: double(
    semconv.METRIC_MAP_ENGINE_LIMIT_USAGE,
    'Native Map and Set: entries over the engine limit, of the fullest one.',
    '1',
  ),
  engineLimitDoublingsLeft: int(
    semconv.METRIC_MAP_ENGINE_LIMIT_DOUBLINGS_LEFT,
    'Native Map and Set: table doublings left before the engine limit, of the fullest one; at 0 the next full table throws.',
    '{doubling}',
  ),
} as const;

/** The gauges, in the order of `MapGauges`' fields; the engine-limit ones only for native Maps and Sets. */
export const MAP_GAUGES = [
  ['entries', MAP_METRICS.entries],
  ['buckets', MAP_METRICS.buckets],
  ['overflowBuckets', MAP_METRICS.overflowBuckets],
  ['loadFactor', MAP_METRICS.loadFactor],
  ['hint', MAP_METRICS.hint],
  ['growing', MAP_METRICS.growing],
  ['evacuationProgress', MAP_METRICS.evacuationProgress],
  ['nextGrowthAt', MAP_METRICS.nextGrowthAt],
  ['engineLimit', MAP_METRICS.engineLimit],
  ['engineLimitUsage', MAP_METRICS.engineLimitUsage],
  ['engineLimitDoublingsLeft', MAP_METRICS.engineLimitDoublingsLeft],
] as const;
