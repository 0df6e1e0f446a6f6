// A few hours of a small fleet in OpenMetrics text, for `promtool tsdb create-blocks-from
// openmetrics`: two services with presized maps (one of them in a resize storm) and lru-caches (one
// of them too small), two GPUs (one hot, throttled and with an XID error), and an inference service
// burning its error budget. Every recording rule and dashboard query has data in it.
import {
  DCGM_FIELD_NAMES,
  INFERENCE_METRICS as M,
  JOBS,
  LRU_METRIC_NAMES,
  MAP_METRIC_NAMES,
  PROM_GPU_UP,
} from '../../definitions/src/index.js';

export const STEP_SECONDS = 15;
export const HOURS = 3;

type Labels = Record<string, string>;
type Value = (t: number) => number;

/** Series by metric name; OpenMetrics wants each name's samples together. */
class Families {
  private readonly byName = new Map<string, { labels: Labels; value: Value }[]>();
  add(name: string, labels: Labels, value: Value): void {
    this.byName.set(name, [...(this.byName.get(name) ?? []), { labels, value }]);
  }
  render(end: number): string {
    const start = end - HOURS * 3600;
    const lines: string[] = [];
    for (const [name, series] of this.byName) {
      for (const { labels, value } of series) {
        const l = Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',');
        for (let t = start; t <= end; t += STEP_SECONDS) {
          lines.push(`${name}{${l}} ${value(t - start)} ${t}`);
        }
      }
    }
    return `${lines.join('\n')}\n# EOF\n`;
  }
}

/** Go's growth point for an entry count: 6.5 entries per bucket of the smallest table above it. */
const nextGrowthAt = (entries: number) => {
  let b = 0;
  while (6.5 * 2 ** b <= entries) b++;
  return b === 0 ? 8 : 6.5 * 2 ** b;
};
const bucketsFor = (entries: number) => nextGrowthAt(entries) / 6.5;
const doublingsUpTo = (entries: number) => Math.max(0, Math.log2(bucketsFor(entries)));

function map(f: Families, labels: Labels, entries: Value, hint: number, sameSizePerHour: number): void {
  const growths = (t: number) => Math.round(doublingsUpTo(entries(t)) - doublingsUpTo(entries(0)));
  f.add(MAP_METRIC_NAMES.entries, labels, (t) => Math.round(entries(t)));
  f.add(MAP_METRIC_NAMES.hint, labels, () => hint);
  f.add(MAP_METRIC_NAMES.buckets, labels, (t) => bucketsFor(entries(t)));
  f.add(MAP_METRIC_NAMES.nextGrowthAt, labels, (t) => nextGrowthAt(entries(t)));
  f.add(MAP_METRIC_NAMES.loadFactor, labels, (t) => entries(t) / bucketsFor(entries(t)));
  f.add(MAP_METRIC_NAMES.overflowBuckets, labels, (t) => Math.round(bucketsFor(entries(t)) / 64));
  f.add(MAP_METRIC_NAMES.growing, labels, (t) => (growths(t) !== growths(t - 60) ? 1 : 0));
  f.add(MAP_METRIC_NAMES.evacuationProgress, labels, (t) => (growths(t) !== growths(t - 60) ? 0.5 : 1));
  f.add(MAP_METRIC_NAMES.growths, { ...labels, presize_map_growth_kind: 'double', presize_map_growth_trigger: 'load_factor' }, growths);
  f.add(MAP_METRIC_NAMES.growths, { ...labels, presize_map_growth_kind: 'same_size', presize_map_growth_trigger: 'overflow' }, (t) =>
    Math.floor((t / 3600) * sameSizePerHour),
  );
  f.add(MAP_METRIC_NAMES.evacuatedBuckets, labels, (t) => Math.round(bucketsFor(entries(t))));
  // Writes that evacuated: 50 a second, most of them fast.
  const stallLe = [0.00001, 0.0001, 0.001, 0.01, 0.1];
  const share = [0.5, 0.9, 0.98, 0.999, 1];
  stallLe.forEach((le, i) => f.add(`${MAP_METRIC_NAMES.evacuationStall}_bucket`, { ...labels, le: String(le) }, (t) => Math.round(50 * t * share[i]!)));
  f.add(`${MAP_METRIC_NAMES.evacuationStall}_bucket`, { ...labels, le: '+Inf' }, (t) => 50 * t);
  f.add(`${MAP_METRIC_NAMES.evacuationStall}_count`, labels, (t) => 50 * t);
  f.add(`${MAP_METRIC_NAMES.evacuationStall}_sum`, labels, (t) => Math.round(t * 50 * 0.0004 * 1e6) / 1e6);
  for (const [le, share_] of [['0.01', 0.2], ['1', 0.9], ['+Inf', 1]] as const) {
    f.add(`${MAP_METRIC_NAMES.growthDuration}_bucket`, { ...labels, presize_map_growth_kind: 'double', presize_map_growth_trigger: 'load_factor', le }, (t) =>
      Math.round(growths(t) * share_),
    );
  }
  f.add(`${MAP_METRIC_NAMES.growthDuration}_count`, { ...labels, presize_map_growth_kind: 'double', presize_map_growth_trigger: 'load_factor' }, growths);
  f.add(`${MAP_METRIC_NAMES.growthDuration}_sum`, { ...labels, presize_map_growth_kind: 'double', presize_map_growth_trigger: 'load_factor' }, (t) => growths(t) * 0.2);
}

interface LruProfile {
  entries: number;
  max: number;
  /** Size and maxSize, for a cache bounded by size. */
  size?: [number, number];
  evictionsPerSecond: number;
  getsPerSecond: number;
  missShare: number;
}

function lru(f: Families, labels: Labels, p: LruProfile): void {
  f.add(LRU_METRIC_NAMES.entries, labels, () => p.entries);
  f.add(LRU_METRIC_NAMES.max, labels, () => p.max);
  if (p.size) {
    const [size, maxSize] = p.size;
    f.add(LRU_METRIC_NAMES.calculatedSize, labels, () => size);
    f.add(LRU_METRIC_NAMES.maxSize, labels, () => maxSize);
  }
  f.add(LRU_METRIC_NAMES.evictions, labels, (t) => p.evictionsPerSecond * t);
  const gets = (result: string, perSecond: number) =>
    f.add(LRU_METRIC_NAMES.operations, { ...labels, presize_lru_operation: 'get', presize_lru_result: result }, (t) => Math.round(perSecond * t));
  gets('hit', p.getsPerSecond * (1 - p.missShare));
  gets('miss', p.getsPerSecond * p.missShare);
}

export const GPU_NODE = { job: JOBS.gpuExporter, instance: 'gpu-node-1:9400' };
const gpuLabels = (gpu: number): Labels => ({
  ...GPU_NODE,
  gpu: String(gpu),
  UUID: `GPU-0c1d2e3f-0000-4000-8000-00000000000${gpu}`,
  modelName: 'NVIDIA H100 80GB HBM3',
  Hostname: 'gpu-node-1',
});

export function fleetOpenMetrics(endSeconds: number): string {
  const f = new Families();
  const end = HOURS * 3600;
  // checkout: a session map sized for 1,000 that doubles every 45 s in the last ten minutes.
  map(f, { job: 'checkout', instance: '10.0.0.7:9464', presize_map_name: 'sessions' }, (t) => 1000 * 2 ** Math.max(0, (t - (end - 600)) / 45), 1000, 2);
  // device logs: a large map heading for its next growth point at 20 inserts a second.
  map(f, { job: `${JOBS.demo}-presized`, instance: '127.0.0.1:9464', presize_map_name: 'device-logs' }, (t) => 60_000 + 20 * t, 131_072, 0);
  // The engine-limit gauges an observed native Map reports beside its table gauges: checkout's
  // sessions, far below the engine's limit of 2^24 entries.
  const nativeSessions = { job: 'checkout', instance: '10.0.0.7:9464', presize_map_name: 'sessions' };
  f.add(MAP_METRIC_NAMES.engineLimit, nativeSessions, () => 2 ** 24);
  f.add(MAP_METRIC_NAMES.engineLimitUsage, nativeSessions, (t) => (1000 * 2 ** Math.max(0, (t - (end - 600)) / 45)) / 2 ** 24);
  f.add(MAP_METRIC_NAMES.engineLimitDoublingsLeft, nativeSessions, () => 8);
  // checkout's cart cache, full at 10,000, evicts three times its contents every 5 minutes and
  // misses 60 % of its gets; device logs' size-bounded cache evicts a little and mostly hits.
  lru(f, { job: 'checkout', instance: '10.0.0.7:9464', presize_lru_name: 'carts' }, {
    entries: 10_000,
    max: 10_000,
    evictionsPerSecond: 100,
    getsPerSecond: 500,
    missShare: 0.6,
  });
  lru(f, { job: `${JOBS.demo}-presized`, instance: '127.0.0.1:9464', presize_lru_name: 'rendered-pages' }, {
    entries: 5_000,
    max: 0,
    size: [950_000, 1_000_000],
    evictionsPerSecond: 2,
    getsPerSecond: 200,
    missShare: 0.1,
  });

  for (const gpu of [0, 1]) {
    const l = gpuLabels(gpu);
    const hot = gpu === 1;
    f.add(DCGM_FIELD_NAMES.gpuUtil, l, (t) => (hot ? 96 : 60 + ((t / 60) % 10)));
    f.add(DCGM_FIELD_NAMES.memCopyUtil, l, () => (hot ? 70 : 30));
    f.add(DCGM_FIELD_NAMES.fbUsed, l, () => (hot ? 78_000 : 40_000));
    f.add(DCGM_FIELD_NAMES.fbFree, l, () => (hot ? 3_000 : 41_000));
    f.add(DCGM_FIELD_NAMES.powerUsage, l, () => (hot ? 690 : 420));
    f.add(DCGM_FIELD_NAMES.gpuTemp, l, () => (hot ? 88 : 61));
    f.add(DCGM_FIELD_NAMES.smClock, l, () => (hot ? 1410 : 1980));
    f.add(DCGM_FIELD_NAMES.xidErrors, l, (t) => (hot && t > end - 1200 ? 79 : 0));
    f.add(DCGM_FIELD_NAMES.clockEventReasons, l, () => (hot ? 0x44 : 0));
  }
  f.add('up', GPU_NODE, () => 1);
  // The demo service bridges a simulated GPU into its own metrics; its source health is per source.
  const demo = { job: `${JOBS.demo}-presized`, instance: '127.0.0.1:9464' };
  f.add(DCGM_FIELD_NAMES.gpuUtil, { ...demo, gpu: '0', UUID: 'GPU-00000000-0000-4000-8000-000000000000', modelName: 'NVIDIA L4', Hostname: 'simulated-inference-node' }, () => 64);
  f.add('up', demo, () => 1);
  f.add(PROM_GPU_UP, { ...demo, presize_gpu_source: 'simulated' }, () => 1);

  // Inference: 1,000 requests a second, 2 % of them failing (40 times the budget of 99.95 %).
  const job = { job: JOBS.inference };
  f.add(`${M.requestDuration}_count`, { ...job, [M.statusCodeLabel]: '200' }, (t) => 980 * t);
  f.add(`${M.requestDuration}_count`, { ...job, [M.statusCodeLabel]: '503' }, (t) => 20 * t);
  f.add(`${M.requestDuration}_bucket`, { ...job, [M.statusCodeLabel]: '200', le: '0.42' }, (t) => 960 * t);
  f.add(`${M.requestDuration}_bucket`, { ...job, [M.statusCodeLabel]: '503', le: '0.42' }, (t) => 20 * t);
  f.add(`${M.modelHotUpdateDuration}_count`, job, (t) => Math.floor(t / 600));
  f.add(`${M.modelHotUpdateDuration}_bucket`, { ...job, le: '12' }, (t) => Math.floor(t / 600));
  f.add(M.circuitBreakerAbnormalRequests, { ...job, [M.circuitBreakerOutcomeLabel]: 'tripped' }, (t) => 99 * t);
  f.add(M.circuitBreakerAbnormalRequests, { ...job, [M.circuitBreakerOutcomeLabel]: 'passed' }, (t) => 1 * t);
  return f.render(endSeconds);
}
