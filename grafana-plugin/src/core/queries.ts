/**
 * The PromQL behind each query type. Inputs are label values that are already resolved (template
 * variables expanded); everything that reaches PromQL text goes through promql.ts.
 */
import {
  by,
  DCGM_FIELD_NAMES,
  duration,
  filterSelector as selector,
  GROWTH_KIND_DOUBLE,
  type LabelFilter,
} from '@presize/definitions';

import {
  LABEL_GPU,
  LABEL_GPU_NODE,
  LABEL_GPU_NODE_LOWER,
  LABEL_GROWTH_KIND,
  LABEL_GROWTH_TRIGGER,
  LABEL_MAP,
  LABEL_SERVICE,
  MAP_METRIC_NAMES,
} from './names';
import { isAny, labelFilter, type Scope } from './scope';

export type MapGrowthView = 'growths' | 'entries' | 'loadFactor' | 'evacuation' | 'stall' | 'overflow';

/** One PromQL expression and the name a person reads for each of its series. */
export interface SeriesQuery {
  expr: string;
  /** Label names whose values, in this order, name a series; `title` is appended. */
  nameLabels: readonly string[];
  title: string;
  unit?: string;
}

export function mapFilters(scope: Scope): LabelFilter[] {
  return [labelFilter(LABEL_SERVICE, scope.services), labelFilter(LABEL_MAP, scope.maps)];
}

const MAP_KEY = [LABEL_SERVICE, LABEL_MAP];

export const MAP_GROWTH_VIEWS: ReadonlyArray<{ value: MapGrowthView; label: string; description: string }> = [
  { value: 'growths', label: 'Growths', description: 'Growths per interval, by kind (doubling or same-size)' },
  {
    value: 'entries',
    label: 'Entries against hint',
    description: 'Entries, the capacity hint and the next growth point',
  },
  { value: 'loadFactor', label: 'Load factor', description: 'Entries per bucket; a doubling starts above 6.5' },
  { value: 'evacuation', label: 'Evacuation progress', description: 'Share of old buckets moved while a growth runs' },
  { value: 'stall', label: 'Evacuation stall p99', description: 'Time an insert or delete spent moving buckets' },
  { value: 'overflow', label: 'Overflow buckets', description: 'Overflow buckets in use and allocated per second' },
];

/**
 * Growths in the `stepSeconds` before each point, exactly: the counter's difference to its value one
 * step earlier, so consecutive points never count one growth twice and no window can fall between
 * two scrapes. A series that did not exist a step earlier counts from zero.
 */
export function growthsPerStep(series: string, stepSeconds: number): string {
  const before = `${series} offset ${duration(stepSeconds)}`;
  return `((${series} - ${before}) or (${series} unless ${before}))`;
}

/** Time series of the map-growth panel, `stepSeconds` apart. */
export function mapGrowthQueries(view: MapGrowthView, scope: Scope, stepSeconds: number): SeriesQuery[] {
  const filters = mapFilters(scope);
  const window = duration(Math.max(stepSeconds, 60));
  switch (view) {
    case 'growths':
      return [
        {
          expr: `sum ${by([...MAP_KEY, LABEL_GROWTH_KIND])} (${growthsPerStep(selector(MAP_METRIC_NAMES.growths, filters), stepSeconds)})`,
          nameLabels: [...MAP_KEY, LABEL_GROWTH_KIND],
          title: 'growths',
        },
      ];
    case 'entries':
      return [
        { metric: MAP_METRIC_NAMES.entries, title: 'entries' },
        { metric: MAP_METRIC_NAMES.hint, title: 'hint' },
        { metric: MAP_METRIC_NAMES.nextGrowthAt, title: 'next growth at' },
      ].map(({ metric, title }) => ({
        expr: `max ${by(MAP_KEY)} (${selector(metric, filters)})`,
        nameLabels: MAP_KEY,
        title,
      }));
    case 'loadFactor':
      return [
        {
          expr: `max ${by(MAP_KEY)} (${selector(MAP_METRIC_NAMES.loadFactor, filters)})`,
          nameLabels: MAP_KEY,
          title: 'load factor',
        },
      ];
    case 'evacuation':
      return [
        {
          expr: `max ${by(MAP_KEY)} (${selector(MAP_METRIC_NAMES.evacuationProgress, filters)})`,
          nameLabels: MAP_KEY,
          title: 'evacuated',
          unit: 'percentunit',
        },
      ];
    case 'stall':
      return [
        {
          expr: `histogram_quantile(0.99, sum ${by([...MAP_KEY, 'le'])} (rate(${selector(`${MAP_METRIC_NAMES.evacuationStall}_bucket`, filters)}[${window}])))`,
          nameLabels: MAP_KEY,
          title: 'stall p99',
          unit: 's',
        },
      ];
    case 'overflow':
      return [
        {
          expr: `max ${by(MAP_KEY)} (${selector(MAP_METRIC_NAMES.overflowBuckets, filters)})`,
          nameLabels: MAP_KEY,
          title: 'overflow buckets',
        },
        {
          expr: `sum ${by(MAP_KEY)} (rate(${selector(MAP_METRIC_NAMES.overflowAllocations, filters)}[${window}]))`,
          nameLabels: MAP_KEY,
          title: 'overflow allocations/s',
        },
      ];
  }
}

/** Growth events as annotations: one per map and interval in which its growth counter moved. */
export function growthEventQuery(scope: Scope, stepSeconds: number): SeriesQuery {
  const labels = [...MAP_KEY, LABEL_GROWTH_KIND, LABEL_GROWTH_TRIGGER];
  return {
    expr: `sum ${by(labels)} (${growthsPerStep(selector(MAP_METRIC_NAMES.growths, mapFilters(scope)), stepSeconds)}) > 0`,
    nameLabels: labels,
    title: 'growth',
  };
}

/** Instant queries the capacity advice reads, evaluated at the end of the range. */
export function capacityQueries(
  scope: Scope,
  rangeSeconds: number
): Record<'peak' | 'hint' | 'entries' | 'doublings', string> {
  const filters = mapFilters(scope);
  const range = duration(rangeSeconds);
  return {
    peak: `max ${by(MAP_KEY)} (max_over_time(${selector(MAP_METRIC_NAMES.entries, filters)}[${range}]))`,
    entries: `max ${by(MAP_KEY)} (${selector(MAP_METRIC_NAMES.entries, filters)})`,
    hint: `max ${by(MAP_KEY)} (${selector(MAP_METRIC_NAMES.hint, filters)})`,
    doublings: `sum ${by(MAP_KEY)} (increase(${selector(MAP_METRIC_NAMES.growths, [
      ...filters,
      { label: LABEL_GROWTH_KIND, values: [GROWTH_KIND_DOUBLE] },
    ])}[${range}]))`,
  };
}

/** An extra DCGM profiling field, not in dcgm-exporter's default counters. */
const DCGM_GR_ENGINE_ACTIVE = 'DCGM_FI_PROF_GR_ENGINE_ACTIVE';

export const GPU_FIELDS = [
  { value: DCGM_FIELD_NAMES.gpuUtil, label: 'GPU utilisation', unit: 'percent' },
  { value: DCGM_FIELD_NAMES.memCopyUtil, label: 'Memory copy utilisation', unit: 'percent' },
  { value: DCGM_FIELD_NAMES.fbUsed, label: 'Framebuffer used', unit: 'mbytes' },
  { value: DCGM_FIELD_NAMES.fbFree, label: 'Framebuffer free', unit: 'mbytes' },
  { value: DCGM_FIELD_NAMES.gpuTemp, label: 'Temperature', unit: 'celsius' },
  { value: DCGM_FIELD_NAMES.powerUsage, label: 'Power', unit: 'watt' },
  { value: DCGM_FIELD_NAMES.smClock, label: 'SM clock', unit: 'suffix: MHz' },
  { value: DCGM_FIELD_NAMES.xidErrors, label: 'Last XID error', unit: 'none' },
  { value: DCGM_GR_ENGINE_ACTIVE, label: 'Graphics engine active', unit: 'percentunit' },
] as const;

export type GpuField = (typeof GPU_FIELDS)[number]['value'];

export const DEFAULT_GPU_FIELDS: readonly GpuField[] = [DCGM_FIELD_NAMES.gpuUtil];

/**
 * A DCGM selector for the scope. dcgm-exporter labels the node `Hostname` in older releases and
 * `hostname` in current ones, so a node filter matches either.
 */
export function gpuSelector(metric: string, scope: Scope): string {
  const gpu = labelFilter(LABEL_GPU, scope.gpus);
  if (isAny(scope.nodes)) {
    return selector(metric, [gpu]);
  }
  return `(${selector(metric, [labelFilter(LABEL_GPU_NODE, scope.nodes), gpu])} or ${selector(metric, [labelFilter(LABEL_GPU_NODE_LOWER, scope.nodes), gpu])})`;
}

export function gpuQueries(fields: readonly GpuField[], scope: Scope): SeriesQuery[] {
  const chosen = fields.length ? fields : DEFAULT_GPU_FIELDS;
  return chosen.map((field) => {
    const spec = GPU_FIELDS.find((f) => f.value === field);
    if (!spec) {
      throw new Error(`"${field}" is not a DCGM field this datasource knows`);
    }
    return {
      expr: gpuSelector(field, scope),
      nameLabels: [LABEL_GPU_NODE, LABEL_GPU_NODE_LOWER, LABEL_GPU],
      title: spec.label,
      unit: spec.unit,
    };
  });
}
