/** The three capture formats Presize reads. */
export type GpuCaptureFormat = 'dcgm-exporter' | 'nvidia-smi-csv' | 'nvidia-smi-xml';

/** One value of one DCGM field for one GPU (or MIG instance), with dcgm-exporter's labels. */
export interface GpuSeries {
  /** DCGM field name, e.g. `DCGM_FI_DEV_GPU_UTIL`. */
  readonly field: string;
  /** dcgm-exporter labels: gpu, UUID, device, modelName, Hostname, pci_bus_id, GPU_I_ID, pod... */
  readonly labels: Readonly<Record<string, string>>;
  /** The value in the field's DCGM unit (MiB, W, °C, %, MHz, mJ...). */
  readonly value: number;
}

/** A line of a capture that was skipped, and why. */
export interface MalformedLine {
  /** 1-based line number in the capture; 0 for XML, whose values are named by GPU and field instead. */
  readonly line: number;
  readonly reason: string;
}

/**
 * Why a value read from a capture was not exported: not a value (the first three), a sample of
 * a metric that is not a DCGM field, or a series past the cap on GPU series (counted by
 * GpuMetrics; a sample's `dropped` never holds it).
 */
export type DropReason = 'blank_sentinel' | 'utilization_out_of_range' | 'not_finite' | 'not_dcgm_field' | 'series_cap';

export interface DroppedValue {
  readonly field: string;
  readonly reason: DropReason;
  readonly value: number;
}

/** Series a read left out for the cap on GPU series it was given (GpuReadOptions.maxSeries). */
export interface SeriesLeftOut {
  readonly count: number;
  readonly byField: ReadonlyMap<string, number>;
}

/** Everything one read of a source produced. */
export interface GpuSample {
  readonly format: GpuCaptureFormat;
  /** Valid values only: sentinels and out-of-range values are in `dropped`. */
  readonly series: readonly GpuSeries[];
  /** `# TYPE` declarations found in an exposition, by field name. */
  readonly declaredTypes: ReadonlyMap<string, string>;
  /** `# HELP` texts found in an exposition, by field name. */
  readonly help: ReadonlyMap<string, string>;
  readonly malformed: readonly MalformedLine[];
  readonly dropped: readonly DroppedValue[];
  /**
   * Present when the read was given a cap on GPU series and more were read: `series` then holds the
   * first `maxSeries` in the cap's order (see GpuMetricsOptions.maxSeries), and these were left out.
   */
  readonly seriesLeftOut?: SeriesLeftOut;
}
