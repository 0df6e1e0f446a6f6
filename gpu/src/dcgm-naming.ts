import { dcgmField } from './dcgm-fields.js';
import { forEachInSlices } from './event-loop-turn.js';
import type { ExportKind, ExportPoint } from './export-point.js';
import type { GpuSample, GpuSeries } from './sample.js';

/**
 * The kind of a DCGM field: Presize's table first (so a capture with and one without `# TYPE`
 * lines export alike), then the capture's own `# TYPE`, else gauge.
 */
export function dcgmKind(field: string, sample: GpuSample): 'gauge' | 'counter' {
  const known = dcgmField(field);
  if (known) return known.kind;
  return sample.declaredTypes.get(field) === 'counter' ? 'counter' : 'gauge';
}

export interface DcgmNamingOptions {
  /**
   * Export dcgm-exporter's counters as monotonic Sums. The OpenTelemetry Prometheus exporter then
   * appends `_total` to their names (DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION_total), which breaks
   * queries written for dcgm-exporter; off by default (see docs/telemetry.md).
   */
  monotonicCounters?: boolean;
}

/** Turns one series into its export point under dcgm-exporter naming. */
function pointMaker(sample: GpuSample, options: DcgmNamingOptions): (series: GpuSeries) => ExportPoint {
  const counterKind: ExportKind = options.monotonicCounters === true ? 'counter' : 'updown';
  const described = new Map<string, Omit<ExportPoint, 'attributes' | 'value'>>();
  const describe = (series: GpuSeries): Omit<ExportPoint, 'attributes' | 'value'> => {
    let description = described.get(series.field);
    if (!description) {
      const known = dcgmField(series.field);
      description = {
        name: series.field,
        description: known?.description ?? sample.help.get(series.field) ?? '',
        // No unit, as dcgm-exporter has none: OTLP translation into Prometheus would append it to
        // the name (DCGM_FI_DEV_FB_USED_mebibytes). The unit is in the description, as in HELP.
        unit: '',
        kind: dcgmKind(series.field, sample) === 'counter' ? counterKind : 'gauge',
      };
      described.set(series.field, description);
    }
    return description;
  };
  // Written out, not spread: an object spread from another is made several times the size (about
  // 350 bytes a point instead of 60), and a large read's points are all alive at once.
  return (series) => {
    const { name, description, unit, kind } = describe(series);
    return { name, description, unit, kind, attributes: series.labels, value: series.value };
  };
}

/** dcgm-exporter naming: instrument name = DCGM field, attributes = dcgm-exporter's labels. */
export function dcgmExportPoints(sample: GpuSample, options: DcgmNamingOptions = {}): ExportPoint[] {
  return sample.series.map(pointMaker(sample, options));
}

/** dcgmExportPoints, giving the event loop a turn between slices of series. */
export async function dcgmExportPointsInSlices(
  sample: GpuSample,
  options: DcgmNamingOptions,
  signal: AbortSignal,
): Promise<ExportPoint[]> {
  const make = pointMaker(sample, options);
  const points: ExportPoint[] = [];
  await forEachInSlices(sample.series, (series) => points.push(make(series)), signal);
  return points;
}
