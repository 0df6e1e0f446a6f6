import { forEachInSlices } from './event-loop-turn.js';
import { attributesKey } from './metric-data.js';
import type { GpuSeries } from './sample.js';

/**
 * GPU series exported per read by default. A dense node, 8 GPUs each split into 7 MIG instances
 * (64 devices), with every one of the 55 DCGM fields Presize knows, has 3,520; the fixtures'
 * dcgm-exporter scrapes have at most 23 fields a device. The OpenTelemetry Prometheus exporter
 * serializes the GPU series in one synchronous call at every scrape (10 to 65 µs a series on the
 * development machine, as its load varies), so this cap is what bounds that call: 0.1 to 0.5 s.
 */
export const DEFAULT_MAX_GPU_SERIES = 8192;

/** A label's number for ordering: GPU and MIG instance indexes are compared as numbers. */
function ordinal(value: string | undefined): number {
  if (value === undefined) return Number.POSITIVE_INFINITY;
  const number = Number(value);
  return value !== '' && Number.isFinite(number) ? number : Number.POSITIVE_INFINITY;
}

function compareText(a: string | undefined, b: string | undefined): number {
  if (a === b) return 0;
  if (a === undefined) return 1;
  if (b === undefined) return -1;
  return a < b ? -1 : 1;
}

/**
 * The order in which series are kept under the cap: by GPU (index, then UUID), by MIG instance,
 * by field, then by the whole label set. It depends on nothing but the series themselves, so the
 * same GPUs and fields are kept from one read to the next whatever order the source writes them
 * in, and the series left out are those of the last GPUs, not a few fields of every GPU.
 */
export function compareSeries(a: GpuSeries, b: GpuSeries): number {
  const { labels: x } = a;
  const { labels: y } = b;
  return (
    ordinal(x['gpu']) - ordinal(y['gpu']) ||
    compareText(x['gpu'], y['gpu']) ||
    compareText(x['UUID'], y['UUID']) ||
    ordinal(x['GPU_I_ID']) - ordinal(y['GPU_I_ID']) ||
    compareText(x['GPU_I_ID'], y['GPU_I_ID']) ||
    compareText(a.field, b.field) ||
    (x === y ? 0 : compareText(attributesKey(x), attributesKey(y)))
  );
}

export interface CappedSeries {
  /** The series kept, in the order read. */
  readonly kept: readonly GpuSeries[];
  /** Series left out, by field. */
  readonly leftOut: ReadonlyMap<string, number>;
  readonly leftOutCount: number;
}

/**
 * The first `max` series in compareSeries order, found a slice at a time with a heap of at most
 * `max` series: a capture of any size costs O(n log max) in bounded steps, never a sort of it all.
 */
export async function capSeries(series: readonly GpuSeries[], max: number, signal: AbortSignal): Promise<CappedSeries> {
  if (series.length <= max) return { kept: series, leftOut: new Map(), leftOutCount: 0 };
  // A max-heap by compareSeries: its root is the last of the series kept so far.
  const heap: GpuSeries[] = [];
  const leftOut = new Map<string, number>();
  const leave = (left: GpuSeries): void => {
    leftOut.set(left.field, (leftOut.get(left.field) ?? 0) + 1);
  };
  await forEachInSlices(
    series,
    (candidate) => {
      if (heap.length < max) {
        siftUp(heap, candidate);
        return;
      }
      const last = heap[0] as GpuSeries;
      if (compareSeries(candidate, last) >= 0) {
        leave(candidate);
        return;
      }
      leave(last);
      siftDown(heap, candidate);
    },
    signal,
  );
  const chosen = new Set(heap);
  const kept: GpuSeries[] = [];
  await forEachInSlices(
    series,
    (one) => {
      if (chosen.has(one)) kept.push(one);
    },
    signal,
  );
  return { kept, leftOut, leftOutCount: series.length - kept.length };
}

function siftUp(heap: GpuSeries[], added: GpuSeries): void {
  let at = heap.length;
  heap.push(added);
  while (at > 0) {
    const parent = (at - 1) >> 1;
    const above = heap[parent] as GpuSeries;
    if (compareSeries(above, added) >= 0) break;
    heap[at] = above;
    at = parent;
  }
  heap[at] = added;
}

/** Replaces the root with `added` and restores the heap. */
function siftDown(heap: GpuSeries[], added: GpuSeries): void {
  const { length } = heap;
  let at = 0;
  for (;;) {
    let child = 2 * at + 1;
    if (child >= length) break;
    const right = child + 1;
    if (right < length && compareSeries(heap[right] as GpuSeries, heap[child] as GpuSeries) > 0) child = right;
    const below = heap[child] as GpuSeries;
    if (compareSeries(below, added) <= 0) break;
    heap[at] = below;
    at = child;
  }
  heap[at] = added;
}
