import type { DropReason, DroppedValue, GpuCaptureFormat, GpuSample, GpuSeries, MalformedLine } from './sample.js';
import { boundedGpuLabels } from './label-limits.js';
import { ownLabels, ownString } from './own-string.js';
import { invalidValueReason } from './validity.js';

/**
 * Collects what a reader finds, passing every value through the validity filter once and every
 * label set through the stores' label limits. Field names and label sets are kept as copies of
 * their own, one per distinct name or label set (readers share a label set between the fields of
 * a GPU), so what a read keeps holds none of the capture's text.
 */
export class SampleBuilder {
  private readonly series: GpuSeries[] = [];
  private readonly dropped: DroppedValue[] = [];
  private readonly malformedLines: MalformedLine[] = [];
  private readonly fields = new Map<string, string>();
  private readonly labelSets = new WeakMap<object, Readonly<Record<string, string>>>();

  add(field: string, labels: Readonly<Record<string, string>>, value: number): void {
    const reason = invalidValueReason(field, value);
    if (reason) this.dropped.push({ field: this.field(field), reason, value });
    else this.series.push({ field: this.field(field), labels: this.labels(labels), value });
  }

  /** A value left out whatever it is, such as a sample of a metric that is not a DCGM field. */
  skip(field: string, reason: DropReason, value: number): void {
    this.dropped.push({ field: this.field(field), reason, value });
  }

  private field(name: string): string {
    let owned = this.fields.get(name);
    if (owned === undefined) {
      owned = ownString(name);
      this.fields.set(owned, owned);
    }
    return owned;
  }

  private labels(labels: Readonly<Record<string, string>>): Readonly<Record<string, string>> {
    let owned = this.labelSets.get(labels);
    if (owned === undefined) {
      owned = ownLabels(boundedGpuLabels(labels));
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
