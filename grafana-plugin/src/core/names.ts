/** The Prometheus names the datasource queries beyond the shared definitions' own tables. */
import {
  LABEL_MAP_NAME,
  PROM_MAP_BUCKETS,
  PROM_MAP_ENTRIES,
  PROM_MAP_EVACUATED_BUCKETS_TOTAL,
  PROM_MAP_EVACUATION_PROGRESS,
  PROM_MAP_EVACUATION_STALL,
  PROM_MAP_GROWING,
  PROM_MAP_GROWTH_DURATION,
  PROM_MAP_GROWTHS_TOTAL,
  PROM_MAP_HINT,
  PROM_MAP_LOAD_FACTOR,
  PROM_MAP_NEXT_GROWTH_AT,
  PROM_MAP_OVERFLOW_ALLOCATIONS_TOTAL,
  PROM_MAP_OVERFLOW_BUCKETS,
} from '@presize/definitions';

export { LABEL_GROWTH_KIND, LABEL_GROWTH_TRIGGER, LABEL_SERVICE } from '@presize/definitions';
export const LABEL_MAP = LABEL_MAP_NAME;
/** dcgm-exporter's node label before its rename; current releases write it `hostname`. */
export const LABEL_GPU_NODE = 'Hostname';
export const LABEL_GPU_NODE_LOWER = 'hostname';
export const LABEL_GPU = 'gpu';

/** The node of a GPU series, whichever generation of dcgm-exporter labelled it. */
export function gpuNode(labels: Readonly<Record<string, string>>): string {
  return labels[LABEL_GPU_NODE] || labels[LABEL_GPU_NODE_LOWER] || '';
}

export const MAP_METRICS = {
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
} as const;
