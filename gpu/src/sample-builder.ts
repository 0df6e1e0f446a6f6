import type { DropReason, DroppedValue, GpuCaptureFormat, GpuSample, GpuSeries, MalformedLine } from './sample.js';
import { boundedGpuLabels } from './label-limits.js';
import { StringPool } from './own-string.js';
import { invalidValueReason } from './validity.js';

/**
 * Collects what a reader finds, passing every value through the validity filter once and every
 * label set through the stores' label limits. Field names and label sets are copies from one
 * string pool, made once per distinct label set (readers share one between the fields of a GPU),
 * so what a read keeps holds none of the capture's text and each repeated string once.
 */
export class SampleBuilder {
  private readonly series: GpuSeries[] = [];
  private readonly dropped: DroppedValue[] = [];
  private readonly malformedLines: MalformedLine[] = [];
  private readonly strings = new StringPool();
  private readonly labelSets = new WeakMap<object, Readonly<Record<string, string>>>();

  add(field: string, labels: Readonly<Record<string, string>>, value: number): void {
    const reason = invalidValueReason(field, value);
    if (reason) this.dropped.push({ field: this.strings.own(field), reason, value });
    else this.series.push({ field: this.strings.own(field), labels: this.labels(labels), value });
  }

  /** A value left out whatever it is, such as a sample of a metric that is not a DCGM field. */
  skip(field: string, reason: DropReason, value: number): void {
    this.dropped.push({ field: this.strings.own(field), reason, value });
  }

  private labels(labels: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
    let owned = this.labelSets.get(labels);
    if (owned === undefined) {
      owned = this.strings.labels(boundedGpuLabels(labels));
      this.labelSets.set(labels, owned);
    }
    return owned;
  }

  malformed(line: number, reason: string): void {
    this.malformedLines.push({ line, reason });
  }

  build(
    format: GpuCaptureFormat,
    declaredTypes: ReadonlyMap<string, string> = new Map(),
    help: ReadonlyMap<string, string> = new Map(),
  ): GpuSample {
    return { format, series: this.series, declaredTypes, help, malformed: this.malformedLines, dropped: this.dropped };
  }
}
