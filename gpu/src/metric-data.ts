import { ValueType, type Attributes, type HrTime } from '@opentelemetry/api';
import type { DataPoint, MetricData } from '@opentelemetry/sdk-metrics';
import { CUMULATIVE, GAUGE_POINTS, SUM_POINTS } from '@presize/instrumentation/metric-producer-data';
import { forEachInSlices } from './event-loop-turn.js';
import type { ExportPoint } from './export-point.js';

const attributeKeys = new WeakMap<object, string>();

/** A stable identity for an attribute set, whatever the order of its keys. */
export function attributesKey(attributes: Attributes): string {
  let key = attributeKeys.get(attributes);
  if (key === undefined) {
    key = JSON.stringify(
      Object.keys(attributes)
        .sort()
        .map((name) => [name, attributes[name]]),
    );
    attributeKeys.set(attributes, key);
  }
  return key;
}

/**
 * Start times of the cumulative series, kept for the series of the latest sample only: a series
 * that is gone is forgotten, so churning label sets (pods coming and going) cost no memory.
 */
export class CounterStarts {
  private starts = new Map<string, { start: HrTime; last: number }>();

  /**
   * The series' start: its first observation, or the observation after its value went down (a
   * reset). A slice of points at a time; the starts kept are replaced only once all are seen.
   */
  async next(points: readonly ExportPoint[], time: HrTime, signal: AbortSignal): Promise<Map<ExportPoint, HrTime>> {
    const kept = new Map<string, { start: HrTime; last: number }>();
    const result = new Map<ExportPoint, HrTime>();
    await forEachInSlices(
      points,
      (point) => {
        if (point.kind === 'gauge') return;
        const key = `${point.name}\u0000${attributesKey(point.attributes)}`;
        const previous = this.starts.get(key) ?? kept.get(key);
        const start = previous !== undefined && point.value >= previous.last ? previous.start : time;
        kept.set(key, { start, last: point.value });
        result.set(point, start);
      },
      signal,
    );
    this.starts = kept;
    return result;
  }

  get size(): number {
    return this.starts.size;
  }

  clear(): void {
    this.starts.clear();
  }
}

/**
 * Groups points into OpenTelemetry metric data, one stream per name, a point at a time. A series
 * that appears twice in a capture keeps its last value: two samples of one series would make
 * Prometheus reject the whole scrape.
 */
class MetricDataBuilder {
  private readonly byName = new Map<string, { first: ExportPoint; points: Map<string, DataPoint<number>> }>();

  constructor(
    private readonly time: HrTime,
    private readonly starts: ReadonlyMap<ExportPoint, HrTime>,
  ) {}

  add(point: ExportPoint): void {
    let group = this.byName.get(point.name);
    if (!group) {
      group = { first: point, points: new Map() };
      this.byName.set(point.name, group);
    }
    group.points.set(attributesKey(point.attributes), {
      startTime: this.starts.get(point) ?? this.time,
      endTime: this.time,
      attributes: point.attributes,
      value: point.value,
    });
  }

  build(): MetricData[] {
    const metrics: MetricData[] = [];
    for (const { first, points } of this.byName.values()) {
      const descriptor = {
        name: first.name,
        description: first.description,
        unit: first.unit,
        valueType: ValueType.DOUBLE,
      };
      const dataPoints = [...points.values()];
      if (first.kind === 'gauge') {
        metrics.push({ descriptor, aggregationTemporality: CUMULATIVE, dataPointType: GAUGE_POINTS, dataPoints });
      } else {
        metrics.push({
          descriptor,
          aggregationTemporality: CUMULATIVE,
          dataPointType: SUM_POINTS,
          isMonotonic: first.kind === 'counter',
          dataPoints,
        });
      }
    }
    return metrics;
  }
}

export function toMetricData(
  points: readonly ExportPoint[],
  time: HrTime,
  starts: ReadonlyMap<ExportPoint, HrTime>,
): MetricData[] {
  const builder = new MetricDataBuilder(time, starts);
  for (const point of points) builder.add(point);
  return builder.build();
}

/** toMetricData, giving the event loop a turn between slices of points. */
export async function toMetricDataInSlices(
  points: readonly ExportPoint[],
  time: HrTime,
  starts: ReadonlyMap<ExportPoint, HrTime>,
  signal: AbortSignal,
): Promise<MetricData[]> {
  const builder = new MetricDataBuilder(time, starts);
  await forEachInSlices(points, (point) => builder.add(point), signal);
  return builder.build();
}
