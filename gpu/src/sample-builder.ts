import type { DropReason, DroppedValue, GpuCaptureFormat, GpuSample, MalformedLine } from './sample.js';
import { boundedGpuLabels } from './label-limits.js';
import { StringPool } from './own-string.js';
import { SeriesSelection } from './series-cap.js';
import { invalidValueReason } from './validity.js';

/**
 * Collects what a reader finds, passing every value through the validity filter once, every label
 * set through the stores' label limits, and every series through the cap on GPU series, so a
 * series past the cap is counted but never made. Field names and label sets are copies from one
 * string pool, so what a read keeps holds none of the capture's text and each repeated string once.
 */
export class SampleBuilder {
  readonly series: SeriesSelection;
  private readonly dropped: DroppedValue[] = [];
  private readonly malformedLines: MalformedLine[] = [];
  private readonly strings = new StringPool();
  /** The label set last added and its copy: readers add every field of a GPU with the same one. */
  private lastLabels: object | undefined;
  private lastOwned: Readonly<Record<string, string>> = {};

  /** `maxSeries`: the cap on GPU series (none by default). */
  constructor(maxSeries = Number.POSITIVE_INFINITY) {
    this.series = new SeriesSelection(maxSeries);
  }

  add(field: string, labels: Readonly<Record<string, string>>, value: number): void {
    if (labels !== this.lastLabels) {
      this.lastOwned = this.labelSet(labels);
      this.lastLabels = labels;
    }
    this.addMade(field, this.lastOwned, value);
  }

  /** add, with labels this builder's labelSet made. */
  addMade(field: string, labels: Readonly<Record<string, string>>, value: number): void {
    const reason = invalidValueReason(field, value);
    if (reason) this.dropped.push({ field: this.strings.own(field), reason, value });
    else this.series.offer(this.strings.own(field), labels, value);
  }

  /**
   * `labels` within the stores' label limits, as the series get them: made of this read's pooled
   * strings, unless no series with them can be kept (see SeriesSelection.mayKeep).
   */
  labelSet(labels: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
    const bounded = boundedGpuLabels(labels);
    return this.series.mayKeep(bounded) ? this.strings.labels(bounded) : bounded;
  }

  /** False when no series with `labels` (made by labelSet) can be kept: see SeriesSelection.mayKeep. */
  wants(labels: Readonly<Record<string, string>>): boolean {
    return this.series.mayKeep(labels);
  }

  /** A value left out whatever it is, such as a sample of a metric that is not a DCGM field. */
  skip(field: string, reason: DropReason, value: number): void {
    this.dropped.push({ field: this.strings.own(field), reason, value });
  }

  malformed(line: number, reason: string): void {
    this.malformedLines.push({ line, reason });
  }

  build(
    format: GpuCaptureFormat,
    declaredTypes: ReadonlyMap<string, string> = new Map(),
    help: ReadonlyMap<string, string> = new Map(),
  ): GpuSample {
    const { kept, leftOut, leftOutCount } = this.series.result();
    const sample: GpuSample = {
      format,
      series: kept,
      declaredTypes,
      help,
      malformed: this.malformedLines,
      dropped: this.dropped,
    };
    return leftOutCount === 0 ? sample : { ...sample, seriesLeftOut: { count: leftOutCount, byField: leftOut } };
  }
}
