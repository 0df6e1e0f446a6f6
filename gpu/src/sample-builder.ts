import type { DropReason, DroppedValue, GpuCaptureFormat, GpuSample, GpuSeries, MalformedLine } from './sample.js';
import { invalidValueReason } from './validity.js';

/** Collects what a reader finds, passing every value through the validity filter once. */
export class SampleBuilder {
  private readonly series: GpuSeries[] = [];
  private readonly dropped: DroppedValue[] = [];
  private readonly malformedLines: MalformedLine[] = [];

  add(field: string, labels: Readonly<Record<string, string>>, value: number): void {
    const reason = invalidValueReason(field, value);
    if (reason) this.dropped.push({ field, reason, value });
    else this.series.push({ field, labels, value });
  }

  /** A value left out whatever it is, such as a sample of a metric that is not a DCGM field. */
  skip(field: string, reason: DropReason, value: number): void {
    this.dropped.push({ field, reason, value });
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
