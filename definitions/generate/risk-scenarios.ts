import {
  DCGM_FIELD_NAMES,
  type GpuRiskReason,
  GROWTH_KIND_DOUBLE,
  GROWTH_KIND_SAME_SIZE,
  GROWTH_KIND_V8_REHASH,
  GROWTH_TRIGGER_V8_CAPACITY,
  GROWTH_TRIGGER_V8_DELETED_ENTRIES,
  LABEL_GROWTH_KIND,
  LABEL_GROWTH_TRIGGER,
  LABEL_LRU_OPERATION,
  LABEL_LRU_RESULT,
  LRU_METRIC_NAMES,
  LRU_OPERATION_GET,
  LRU_RESULT_HIT,
  LRU_RESULT_MISS,
  type LruRiskReason,
  MAP_METRIC_NAMES,
  type MapRiskReason,
  PROM_GPU_UP,
  type RiskLevel,
} from '../src/index.js';
import { EVAL_MINUTE, constant, perMinute, type InputSeries } from './series.js';

/**
 * Input series that put one factor of one map or GPU at a chosen level and keep it there, so that
 * every alert is seen firing and not firing. `input` is the factor's input at the evaluation time:
 * `exact` when Prometheus computes it without rounding (the tests then compare scores to the last
 * bit), otherwise only the level is compared.
 */
export interface RiskScenario<Reason extends string> {
  reason: Reason;
  level: RiskLevel;
  /** Tells apart two scenarios of the same reason and level. */
  variant?: string;
  series: InputSeries[];
  input: number;
  exact: boolean;
}

export const MAP_LABELS = { job: 'checkout', instance: '10.0.0.7:9464', presize_map_name: 'sessions' };
export const GPU_LABELS = {
  job: 'dcgm-exporter',
  instance: 'gpu-node-1:9400',
  gpu: '0',
  UUID: 'GPU-5c7d1e3a-8f00-4000-8000-000000000001',
  modelName: 'NVIDIA H100 80GB HBM3',
  Hostname: 'gpu-node-1',
};

const nameOf = (input: InputSeries) => input.series.slice(0, input.series.indexOf('{'));
/** `base` with each series that `overrides` has a series of the same name for replaced by it. */
const overriding = (base: InputSeries[], overrides: InputSeries[]): InputSeries[] => {
  const names = new Set(overrides.map(nameOf));
  return [...base.filter((s) => !names.has(nameOf(s))), ...overrides];
};

/**
 * Scenarios whose input is the value of one series, held there beside the base series `withBase`
 * gives: `(reason, level, series name, value)`.
 */
const oneSeriesAt =
  <Reason extends string>(withBase: (overrides: InputSeries[]) => InputSeries[], labels: Record<string, string>) =>
  (reason: Reason, level: RiskLevel, series: string, value: number): RiskScenario<Reason> => ({
    reason,
    level,
    input: value,
    exact: true,
    series: withBase([constant(series, labels, value)]),
  });

type MapSeries = (overrides: InputSeries[]) => InputSeries[];
/** Every map scenario has the map's gauges; a scenario replaces the ones it is about. */
const mapWith: MapSeries = (overrides) => {
  const base = [
    constant(MAP_METRIC_NAMES.entries, MAP_LABELS, 1000),
    constant(MAP_METRIC_NAMES.hint, MAP_LABELS, 0),
    constant(MAP_METRIC_NAMES.nextGrowthAt, MAP_LABELS, 1664),
    constant(MAP_METRIC_NAMES.growing, MAP_LABELS, 0),
  ];
  return overriding(base, overrides);
};
const mapSeriesAt = oneSeriesAt<MapRiskReason>(mapWith, MAP_LABELS);

const TRIGGER: Record<string, string> = {
  [GROWTH_KIND_DOUBLE]: 'load_factor',
  [GROWTH_KIND_SAME_SIZE]: 'overflow',
  [GROWTH_KIND_V8_REHASH]: GROWTH_TRIGGER_V8_CAPACITY,
};
const growths = (kind: string, value: (minute: number) => number, trigger = TRIGGER[kind]!) =>
  perMinute(
    MAP_METRIC_NAMES.growths,
    { ...MAP_LABELS, [LABEL_GROWTH_KIND]: kind, [LABEL_GROWTH_TRIGGER]: trigger },
    value,
  );

/** Entries rising by 10 a second towards a next growth point `left` seconds away at the evaluation time. */
const approaching = (nextGrowthAt: number, secondsLeft: number) => {
  const atEval = nextGrowthAt - 10 * secondsLeft;
  return [
    perMinute(MAP_METRIC_NAMES.entries, MAP_LABELS, (i) => atEval - 600 * (EVAL_MINUTE - i)),
    constant(MAP_METRIC_NAMES.nextGrowthAt, MAP_LABELS, nextGrowthAt),
  ];
};

const stall = (secondsPerMinute: number) =>
  perMinute(`${MAP_METRIC_NAMES.evacuationStall}_sum`, MAP_LABELS, (i) => Math.round(i * secondsPerMinute * 1e6) / 1e6);

/** A map of `entries` entries created with a hint of 1,000. */
const entriesOverHint = (entries: number) =>
  mapWith([constant(MAP_METRIC_NAMES.entries, MAP_LABELS, entries), constant(MAP_METRIC_NAMES.hint, MAP_LABELS, 1000)]);

/** A map that reports its entries and nothing any factor reads: it has a score, no factor score. */
export const MAP_WITHOUT_INPUTS: InputSeries[] = [constant(MAP_METRIC_NAMES.entries, MAP_LABELS, 1000)];

export const MAP_SCENARIOS: RiskScenario<MapRiskReason>[] = [
  {
    reason: 'resize_storm',
    level: 'ok',
    input: 1,
    exact: true,
    series: mapWith([growths(GROWTH_KIND_DOUBLE, (i) => Math.floor(i / 3))]),
  },
  {
    reason: 'resize_storm',
    level: 'warn',
    input: 5,
    exact: true,
    series: mapWith([growths(GROWTH_KIND_DOUBLE, (i) => i)]),
  },
  {
    reason: 'resize_storm',
    level: 'critical',
    input: 10,
    exact: true,
    series: mapWith([growths(GROWTH_KIND_DOUBLE, (i) => 2 * i)]),
  },
  {
    reason: 'resize_storm',
    level: 'warn',
    variant: 'native Map rebuilds and doublings',
    input: 5,
    exact: true,
    series: mapWith([
      growths(GROWTH_KIND_V8_REHASH, (i) => Math.floor((3 * i) / 5)),
      growths(GROWTH_KIND_DOUBLE, (i) => Math.floor((2 * i) / 5)),
    ]),
  },
  {
    reason: 'resize_storm',
    level: 'ok',
    variant: 'native Map compactions are not doublings',
    input: 1,
    exact: true,
    series: mapWith([
      growths(GROWTH_KIND_V8_REHASH, (i) => Math.floor(i / 5)),
      growths(GROWTH_KIND_V8_REHASH, (i) => 2 * i, GROWTH_TRIGGER_V8_DELETED_ENTRIES),
    ]),
  },
  {
    reason: 'back_to_back_growth',
    level: 'ok',
    input: 2 / 6,
    exact: false,
    series: mapWith([perMinute(MAP_METRIC_NAMES.growing, MAP_LABELS, (i) => (i % 3 === 0 ? 1 : 0))]),
  },
  {
    reason: 'back_to_back_growth',
    level: 'warn',
    input: 4 / 6,
    exact: false,
    series: mapWith([perMinute(MAP_METRIC_NAMES.growing, MAP_LABELS, (i) => (i % 3 === 0 ? 0 : 1))]),
  },
  mapSeriesAt('back_to_back_growth', 'critical', MAP_METRIC_NAMES.growing, 1),
  {
    reason: 'hint_exceeded',
    level: 'ok',
    input: 1.5,
    exact: true,
    series: entriesOverHint(1500),
  },
  {
    reason: 'hint_exceeded',
    level: 'ok',
    variant: 'exactly twice the hint',
    input: 2,
    exact: true,
    series: entriesOverHint(2000),
  },
  {
    reason: 'hint_exceeded',
    level: 'warn',
    input: 3,
    exact: true,
    series: entriesOverHint(3000),
  },
  {
    reason: 'hint_exceeded',
    level: 'critical',
    input: 9,
    exact: true,
    series: entriesOverHint(9000),
  },
  { reason: 'growth_imminent', level: 'ok', input: 10000, exact: false, series: mapWith(approaching(200_000, 10000)) },
  { reason: 'growth_imminent', level: 'warn', input: 400, exact: false, series: mapWith(approaching(100_000, 400)) },
  { reason: 'growth_imminent', level: 'critical', input: 60, exact: false, series: mapWith(approaching(100_000, 60)) },
  { reason: 'evacuation_stall', level: 'ok', input: 0.005, exact: false, series: mapWith([stall(0.3)]) },
  { reason: 'evacuation_stall', level: 'warn', input: 0.02, exact: false, series: mapWith([stall(1.2)]) },
  { reason: 'evacuation_stall', level: 'critical', input: 0.08, exact: false, series: mapWith([stall(4.8)]) },
  {
    reason: 'same_size_growth',
    level: 'ok',
    input: 2,
    exact: true,
    series: mapWith([growths(GROWTH_KIND_SAME_SIZE, (i) => Math.floor(i / 30))]),
  },
  {
    reason: 'same_size_growth',
    level: 'warn',
    input: 6,
    exact: true,
    series: mapWith([growths(GROWTH_KIND_SAME_SIZE, (i) => Math.floor(i / 10))]),
  },
  {
    reason: 'same_size_growth',
    level: 'critical',
    input: 60,
    exact: true,
    series: mapWith([growths(GROWTH_KIND_SAME_SIZE, (i) => i)]),
  },
  mapSeriesAt('engine_limit', 'ok', MAP_METRIC_NAMES.engineLimitUsage, 0.25),
  mapSeriesAt('engine_limit', 'warn', MAP_METRIC_NAMES.engineLimitUsage, 0.5),
  mapSeriesAt('engine_limit', 'critical', MAP_METRIC_NAMES.engineLimitUsage, 0.875),
];

const EXPORTER = { job: GPU_LABELS.job, instance: GPU_LABELS.instance };
/** Every GPU scenario has a scraped exporter and a GPU inside the utilisation band. */
const gpuWith = (overrides: InputSeries[]): InputSeries[] => {
  const base = [constant('up', EXPORTER, 1), constant(DCGM_FIELD_NAMES.gpuUtil, GPU_LABELS, 65)];
  return overriding(base, overrides);
};
const gpuFieldAt = oneSeriesAt<GpuRiskReason>(gpuWith, GPU_LABELS);
const fb = (used: number, free: number) => [
  constant(DCGM_FIELD_NAMES.fbUsed, GPU_LABELS, used),
  constant(DCGM_FIELD_NAMES.fbFree, GPU_LABELS, free),
];

export const GPU_SCENARIOS: RiskScenario<GpuRiskReason>[] = [
  { reason: 'down', level: 'ok', input: 1, exact: true, series: gpuWith([]) },
  { reason: 'down', level: 'critical', input: 0, exact: true, series: gpuWith([constant('up', EXPORTER, 0)]) },
  {
    reason: 'down',
    level: 'critical',
    variant: 'source unreadable',
    input: 0,
    exact: true,
    series: gpuWith([constant(PROM_GPU_UP, { ...EXPORTER, presize_gpu_source: 'nvidia-smi' }, 0)]),
  },
  gpuFieldAt('xid', 'ok', DCGM_FIELD_NAMES.xidErrors, 0),
  gpuFieldAt('xid', 'warn', DCGM_FIELD_NAMES.xidErrors, 13),
  gpuFieldAt('xid', 'critical', DCGM_FIELD_NAMES.xidErrors, 79),
  gpuFieldAt('throttling', 'ok', DCGM_FIELD_NAMES.clockEventReasons, 1),
  gpuFieldAt('throttling', 'warn', DCGM_FIELD_NAMES.clockEventReasons, 5),
  gpuFieldAt('throttling', 'critical', DCGM_FIELD_NAMES.clockEventReasons, 68),
  { reason: 'framebuffer', level: 'ok', input: 0.5, exact: true, series: gpuWith(fb(40000, 40000)) },
  { reason: 'framebuffer', level: 'warn', input: 92 / 100, exact: true, series: gpuWith(fb(92, 8)) },
  { reason: 'framebuffer', level: 'critical', input: 99 / 100, exact: true, series: gpuWith(fb(99, 1)) },
  { reason: 'utilisation_band', level: 'ok', input: 0, exact: true, series: gpuWith([]) },
  {
    reason: 'utilisation_band',
    level: 'warn',
    input: 5,
    exact: true,
    series: gpuWith([constant(DCGM_FIELD_NAMES.gpuUtil, GPU_LABELS, 50)]),
  },
  {
    reason: 'utilisation_band',
    level: 'critical',
    input: 35,
    exact: true,
    series: gpuWith([constant(DCGM_FIELD_NAMES.gpuUtil, GPU_LABELS, 20)]),
  },
];

export const LRU_LABELS = { job: 'checkout', instance: '10.0.0.7:9464', presize_lru_name: 'carts' };

/** A cache of max 1,000, full unless `entries` says less, serving 600 gets a minute; a scenario sets evictions and misses. */
const lruWith = (evictionsPerMinute: number, missesPerMinute: number, entries = 1000): InputSeries[] => [
  constant(LRU_METRIC_NAMES.entries, LRU_LABELS, entries),
  constant(LRU_METRIC_NAMES.max, LRU_LABELS, 1000),
  perMinute(LRU_METRIC_NAMES.evictions, LRU_LABELS, (i) => evictionsPerMinute * i),
  perMinute(
    LRU_METRIC_NAMES.operations,
    { ...LRU_LABELS, [LABEL_LRU_OPERATION]: LRU_OPERATION_GET, [LABEL_LRU_RESULT]: LRU_RESULT_HIT },
    (i) => (600 - missesPerMinute) * i,
  ),
  perMinute(
    LRU_METRIC_NAMES.operations,
    { ...LRU_LABELS, [LABEL_LRU_OPERATION]: LRU_OPERATION_GET, [LABEL_LRU_RESULT]: LRU_RESULT_MISS },
    (i) => missesPerMinute * i,
  ),
];

/** A cache that reports its entries and nothing any factor reads: it has a score, no factor score. */
export const LRU_WITHOUT_INPUTS: InputSeries[] = [constant(LRU_METRIC_NAMES.entries, LRU_LABELS, 10)];

export const LRU_SCENARIOS: RiskScenario<LruRiskReason>[] = [
  { reason: 'eviction_churn', level: 'ok', input: 0.5, exact: true, series: lruWith(100, 0) },
  { reason: 'eviction_churn', level: 'warn', input: 2, exact: true, series: lruWith(400, 0) },
  { reason: 'eviction_churn', level: 'critical', input: 5, exact: true, series: lruWith(1000, 0) },
  // A cache at half its max evicts nothing by count: evictions counted then are not the churn of a full cache.
  { reason: 'eviction_churn', level: 'ok', variant: 'not full', input: 0, exact: false, series: lruWith(1000, 0, 500) },
  { reason: 'misses_while_evicting', level: 'ok', input: 0.2, exact: true, series: lruWith(10, 120) },
  { reason: 'misses_while_evicting', level: 'warn', input: 0.6, exact: true, series: lruWith(10, 360) },
  { reason: 'misses_while_evicting', level: 'critical', input: 0.9, exact: true, series: lruWith(10, 540) },
  // A cache still filling misses most gets without being too small.
  {
    reason: 'misses_while_evicting',
    level: 'ok',
    variant: 'not evicting',
    input: 0,
    exact: false,
    series: lruWith(0, 540),
  },
];
