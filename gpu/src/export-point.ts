import type { Attributes } from '@opentelemetry/api';

/**
 * How a value is exported: `gauge` is an OpenTelemetry Gauge; `counter` a cumulative monotonic
 * Sum; `updown` a cumulative non-monotonic Sum (an UpDownCounter's shape).
 */
export type ExportKind = 'gauge' | 'counter' | 'updown';

/** One data point of the latest sample, named and typed for export. */
export interface ExportPoint {
  readonly name: string;
  readonly description: string;
  readonly unit: string;
  readonly kind: ExportKind;
  readonly attributes: Attributes;
  readonly value: number;
}
