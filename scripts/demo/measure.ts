// Turns what the client and the service measured into the figures of the demo's table.
import type { LoadResult } from './load.js';
import type { DeviceLogsStats } from './service.js';

export interface CacheFigures {
  cache: string;
  description: string;
  /** Events written per second (each request carries a batch). */
  eventsPerSecond: number;
  writeRequestsPerSecond: number;
  avgWriteMs: number;
  p99WriteMs: number;
  /** The slowest write request of the run, as the client saw it. */
  maxWriteMs: number;
  /**
   * The longest the service's event loop was blocked during the run (runtime metrics through
   * Prometheus: max of nodejs_eventloop_delay_max); null when Prometheus had no sample.
   */
  largestStallMs: number | null;
  /**
   * Upper bound of the longest time one write spent on map growth (allocating the new table, or
   * evacuating), from the instrumentation's histograms; null when no write did growth work.
   */
  mapStallBoundMs: number | null;
  gcPauses: number;
  gcPauseP99Ms: number;
  gcPauseTotalMs: number;
  /** Share of the run's wall time the service spent in GC pauses, 0..1. */
  gcTimeShare: number;
  /** Bytes allocated on the service's V8 heap per second of load. */
  allocationBytesPerSecond: number;
  /** The same per log event written. */
  allocationBytesPerEvent: number;
  /** Doublings of the map (V8 table rebuilds for a native Map), as Prometheus has them. */
  growths: number | null;
  /** Doublings as the service's own stats() reports them. */
  growthsFromStats: number | null;
  devices: number;
  errors: number;
  firstError?: string;
}

/** The q-quantile (0..1) of `values` by the nearest-rank method; NaN when there are none. */
export function quantile(values: Float64Array | number[], q: number): number {
  if (values.length === 0) return Number.NaN;
  const sorted = Float64Array.from(values).sort();
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil(q * sorted.length)));
  return sorted[rank - 1] as number;
}

/**
 * The q-quantile of the GC pauses between two snapshots of the service's pause histogram, taken as
 * the upper bound of the bucket it falls in (buckets are 9 % wide).
 */
export function histogramQuantile(before: DeviceLogsStats, after: DeviceLogsStats, q: number): number {
  const { boundsMs, counts } = after.process.gc.pauseHistogram;
  const earlier = before.process.gc.pauseHistogram.counts;
  const window = counts.map((count, k) => count - (earlier[k] ?? 0));
  const total = window.reduce((sum, count) => sum + count, 0);
  if (total === 0) return 0;
  const rank = Math.max(1, Math.ceil(q * total));
  let seen = 0;
  for (let k = 0; k < window.length; k++) {
    seen += window[k] as number;
    if (seen >= rank) return boundsMs[k] as number;
  }
  return boundsMs[boundsMs.length - 1] as number;
}

export interface PrometheusFigures {
  growths: number | null;
  largestStallMs: number | null;
  mapStallBoundMs: number | null;
}

/** A Prometheus `le` label as a number: "+Inf" is what Number() does not read. */
export function bucketBound(le: string | undefined): number {
  if (le === '+Inf') return Infinity;
  const bound = Number(le);
  if (le === undefined || le.trim() === '' || Number.isNaN(bound))
    throw new Error(`not a histogram bucket bound: le=${JSON.stringify(le)}`);
  return bound;
}

/**
 * The smallest bucket bound that holds every observation of a cumulative histogram, given as
 * [le, count] pairs: an upper bound of its largest observation. Infinity when only +Inf holds
 * them all; null when there are no observations.
 */
export function maxBound(buckets: Array<[le: number, count: number]>): number | null {
  const total = Math.max(0, ...buckets.map(([, count]) => count));
  if (total === 0) return null;
  const holding = buckets.filter(([, count]) => count >= total).map(([le]) => le);
  return Math.min(...holding);
}

export function figures(
  load: LoadResult,
  before: DeviceLogsStats,
  after: DeviceLogsStats,
  fromPrometheus: PrometheusFigures,
): CacheFigures {
  const seconds = load.elapsedMs / 1_000;
  const latencies = load.writeLatenciesMs;
  const sum = latencies.reduce((total, value) => total + value, 0);
  const statsGrowths = after.map === null ? null : Number(after.map.growths);
  const allocated = after.process.allocatedBytes - before.process.allocatedBytes;
  return {
    cache: after.cache,
    description: after.description,
    eventsPerSecond: load.events / seconds,
    writeRequestsPerSecond: load.writes / seconds,
    avgWriteMs: latencies.length ? sum / latencies.length : Number.NaN,
    p99WriteMs: quantile(latencies, 0.99),
    maxWriteMs: latencies.length ? latencies.reduce((max, value) => Math.max(max, value), 0) : Number.NaN,
    largestStallMs: fromPrometheus.largestStallMs,
    mapStallBoundMs: fromPrometheus.mapStallBoundMs,
    gcPauses: after.process.gc.count - before.process.gc.count,
    gcPauseP99Ms: histogramQuantile(before, after, 0.99),
    gcPauseTotalMs: after.process.gc.pauseTotalMs - before.process.gc.pauseTotalMs,
    gcTimeShare: (after.process.gc.pauseTotalMs - before.process.gc.pauseTotalMs) / load.elapsedMs,
    allocationBytesPerSecond: allocated / seconds,
    allocationBytesPerEvent: load.events > 0 ? allocated / load.events : Number.NaN,
    growths: fromPrometheus.growths,
    growthsFromStats: statsGrowths,
    devices: after.size,
    errors: load.errors,
    ...(load.firstError === undefined ? {} : { firstError: load.firstError }),
  };
}

const ms = (value: number): string =>
  Number.isFinite(value) ? `${value < 10 ? value.toFixed(2) : value.toFixed(1)} ms` : 'n/a';
function bound(valueMs: number | null): string {
  if (valueMs === null) return 'none';
  if (!Number.isFinite(valueMs)) return '> 100 ms';
  return valueMs < 1 ? `≤ ${+(valueMs * 1_000).toPrecision(3)} µs` : `≤ ${+valueMs.toPrecision(3)} ms`;
}
const perSecond = (value: number): string => `${Math.round(value).toLocaleString('en-US')}/s`;
const megabytesPerSecond = (value: number): string => `${(value / 1_048_576).toFixed(1)} MB/s`;

/** The table of the article: one row per cache, the figures measured in this run. */
export function table(rows: CacheFigures[]): string {
  const header = [
    'cache',
    'throughput',
    'avg write',
    'p99 write',
    'slowest write',
    'largest stall',
    'map stall',
    'GC pause p99',
    'GC time',
    'allocation',
    'per event',
    'growths',
  ];
  const body = rows.map((row) => [
    row.cache,
    perSecond(row.eventsPerSecond),
    ms(row.avgWriteMs),
    ms(row.p99WriteMs),
    ms(row.maxWriteMs),
    row.largestStallMs === null ? 'n/a' : ms(row.largestStallMs),
    bound(row.mapStallBoundMs),
    ms(row.gcPauseP99Ms),
    `${(row.gcTimeShare * 100).toFixed(1)} %`,
    megabytesPerSecond(row.allocationBytesPerSecond),
    `${Math.round(row.allocationBytesPerEvent).toLocaleString('en-US')} B`,
    // A native Map has no stats(); its rebuilds come from the zero-code observer alone.
    row.growths === null ? 'n/a' : `${row.growths}${row.growthsFromStats === null ? ' ¹' : ''}`,
  ]);
  const widths = header.map((title, column) =>
    Math.max(title.length, ...body.map((cells) => (cells[column] as string).length)),
  );
  const line = (cells: string[]): string =>
    `| ${cells.map((cell, column) => (column === 0 ? cell.padEnd(widths[column] as number) : cell.padStart(widths[column] as number))).join(' | ')} |`;
  return [
    line(header),
    `|${widths.map((width, column) => (column === 0 ? `:${'-'.repeat(width + 1)}` : `${'-'.repeat(width + 1)}:`)).join('|')}|`,
    ...body.map(line),
  ].join('\n');
}

/** "1.23×" comparisons of each row against the first (the incident's native Map). */
export function comparisons(rows: CacheFigures[]): string[] {
  const [baseline, ...others] = rows;
  if (!baseline) return [];
  return others.map(
    (row) =>
      `${row.cache} vs ${baseline.cache}: throughput ×${(row.eventsPerSecond / baseline.eventsPerSecond).toFixed(2)}, ` +
      `p99 write ×${(row.p99WriteMs / baseline.p99WriteMs).toFixed(2)}, slowest write ×${(row.maxWriteMs / baseline.maxWriteMs).toFixed(2)}, ` +
      `GC pause p99 ×${(row.gcPauseP99Ms / baseline.gcPauseP99Ms).toFixed(2)}, GC time ×${(row.gcTimeShare / baseline.gcTimeShare).toFixed(2)}, allocation per event ×${(row.allocationBytesPerEvent / baseline.allocationBytesPerEvent).toFixed(2)}`,
  );
}
