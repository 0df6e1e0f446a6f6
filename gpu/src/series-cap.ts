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
  return compareFieldLabels(a.field, a.labels, b.field, b.labels);
}

/** compareSeries of a series not made yet, given by its field and labels. */
function compareFieldLabels(
  field: string,
  x: Readonly<Record<string, string>>,
  otherField: string,
  y: Readonly<Record<string, string>>,
): number {
  return (
    compareDevices(x, y) ||
    compareText(field, otherField) ||
    (x === y ? 0 : compareText(attributesKey(x), attributesKey(y)))
  );
}

/** The first part of compareSeries: the GPU and MIG instance. */
function compareDevices(x: Readonly<Record<string, string>>, y: Readonly<Record<string, string>>): number {
  // The fields of a GPU share one label set, and many comparisons are between two of them.
  if (x === y) return 0;
  return (
    ordinal(x['gpu']) - ordinal(y['gpu']) ||
    compareText(x['gpu'], y['gpu']) ||
    compareText(x['UUID'], y['UUID']) ||
    ordinal(x['GPU_I_ID']) - ordinal(y['GPU_I_ID']) ||
    compareText(x['GPU_I_ID'], y['GPU_I_ID'])
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
 * The first `max` series in compareSeries order of those offered, chosen as they are offered with
 * a heap of at most `max` series, and kept in the order offered. A series that cannot be among
 * them is counted and never made, and one pushed out by a later series is let go at once: a read
 * of any size holds at most `max` series, and is never listed, sorted or cut as a whole. Each
 * series costs O(log max) at most, so no one offer takes long (a heap made at once when the cap is
 * reached would cost O(max) in one step).
 */
export class SeriesSelection {
  /** A max-heap by compareSeries of the series kept so far: its root is the last of them. */
  private readonly heap: GpuSeries[] = [];
  /** For each series of the heap, at the same index, where it is in `offered`. */
  private readonly positions: number[] = [];
  /** The series kept so far in the order offered, with holes where one was pushed out. */
  private offered: (GpuSeries | undefined)[] = [];
  private pushedOut = false;
  private readonly leftOut = new Map<string, number>();
  private leftOutCount = 0;
  /** Series made by `offer` (those kept when offered, whether or not pushed out later). */
  private madeCount = 0;

  constructor(readonly max: number) {}

  get made(): number {
    return this.madeCount;
  }

  /** Series held now: at most `max`. */
  get held(): number {
    return this.heap.length;
  }

  /** A series of a read; it is made only if it is kept. */
  offer(field: string, labels: Readonly<Record<string, string>>, value: number): void {
    if (this.keeps(field, labels)) {
      this.madeCount++;
      this.add({ field, labels, value });
    } else this.leave(field);
  }

  /** A series already made. */
  offerSeries(series: GpuSeries): void {
    if (this.keeps(series.field, series.labels)) this.add(series);
    else this.leave(series.field);
  }

  /**
   * False when no series with these labels can be kept any more: the cap is reached and they name
   * a GPU or MIG instance after that of the last series kept. That last series only ever moves
   * earlier, so a reader need not keep anything for such a label set for the rest of the read.
   */
  mayKeep(labels: Readonly<Record<string, string>>): boolean {
    const last = this.lastKept();
    return last === undefined || compareDevices(labels, last.labels) <= 0;
  }

  /** The series kept, in the order offered, and those left out. */
  result(): CappedSeries {
    const kept = this.pushedOut ? this.offered.filter((one) => one !== undefined) : (this.offered as GpuSeries[]);
    return { kept, leftOut: this.leftOut, leftOutCount: this.leftOutCount };
  }

  private keeps(field: string, labels: Readonly<Record<string, string>>): boolean {
    const last = this.lastKept();
    return last === undefined || compareFieldLabels(field, labels, last.field, last.labels) < 0;
  }

  /** Once the cap is reached, the last series kept in compareSeries order; before, undefined. */
  private lastKept(): GpuSeries | undefined {
    return this.heap.length < this.max ? undefined : this.heap[0];
  }

  private add(series: GpuSeries): void {
    const position = this.offered.push(series) - 1;
    if (this.heap.length < this.max) {
      this.siftUp(series, position);
      return;
    }
    this.leave((this.heap[0] as GpuSeries).field);
    this.offered[this.positions[0] as number] = undefined;
    this.pushedOut = true;
    this.siftDown(series, position);
    if (this.offered.length >= 2 * this.max) this.compact();
  }

  private leave(field: string): void {
    this.leftOut.set(field, (this.leftOut.get(field) ?? 0) + 1);
    this.leftOutCount++;
  }

  /** Drops the holes of `offered` (as many as the series in it, at most), so it stays within 2 × max. */
  private compact(): void {
    const moved = new Int32Array(this.offered.length);
    const offered: GpuSeries[] = [];
    this.offered.forEach((one, at) => {
      if (one !== undefined) moved[at] = offered.push(one) - 1;
    });
    const { positions } = this;
    for (let at = 0; at < positions.length; at++) positions[at] = moved[positions[at] as number] as number;
    this.offered = offered;
  }

  /** Adds `added` at the end of the heap and moves it up until the heap is one again. */
  private siftUp(added: GpuSeries, position: number): void {
    const { heap, positions } = this;
    let at = heap.length;
    while (at > 0) {
      const parent = (at - 1) >> 1;
      const above = heap[parent] as GpuSeries;
      if (compareSeries(above, added) >= 0) break;
      heap[at] = above;
      positions[at] = positions[parent] as number;
      at = parent;
    }
    heap[at] = added;
    positions[at] = position;
  }

  /** Puts `added` in place of the root and moves it down until the heap is one again. */
  private siftDown(added: GpuSeries, position: number): void {
    const { heap, positions } = this;
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
      positions[at] = positions[child] as number;
      at = child;
    }
    heap[at] = added;
    positions[at] = position;
  }
}

/**
 * The first `max` series in compareSeries order (see SeriesSelection), a slice at a time: for the
 * samples of sources that do not apply the cap while they read.
 */
export async function capSeries(series: readonly GpuSeries[], max: number, signal: AbortSignal): Promise<CappedSeries> {
  if (series.length <= max) return { kept: series, leftOut: new Map(), leftOutCount: 0 };
  const selection = new SeriesSelection(max);
  await forEachInSlices(series, (one) => selection.offerSeries(one), signal);
  return selection.result();
}
