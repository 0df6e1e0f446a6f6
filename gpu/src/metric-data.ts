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
 * A number two attribute sets with the same names and values share, whatever the order of their
 * keys: a sum of FNV-1a hashes of the name-value pairs, each mixed (MurmurHash3's finalizer) so that
 * pairs that differ alike do not cancel out in the sum. Unlike attributesKey, it makes no string,
 * so grouping a read's points by it leaves nothing for the young generation's collections to copy;
 * sets that share it are told apart by sameAttributes.
 */
export function attributesHash(attributes: Attributes): number {
  let sum = 0;
  for (const name of Object.keys(attributes)) {
    let hash = 0x811c9dc5;
    const pair = `${name}\u0000${String(attributes[name])}`;
    for (let i = 0; i < pair.length; i++) hash = Math.imul(hash ^ pair.charCodeAt(i), 0x01000193);
    hash = Math.imul(hash ^ (hash >>> 16), 0x85ebca6b);
    hash = Math.imul(hash ^ (hash >>> 13), 0xc2b2ae35);
    sum = (sum + (hash ^ (hash >>> 16))) | 0;
  }
  return sum;
}

function sameAttributes(a: Attributes, b: Attributes): boolean {
  if (a === b) return true;
  const names = Object.keys(a);
  if (names.length !== Object.keys(b).length) return false;
  return names.every((name) => Object.prototype.hasOwnProperty.call(b, name) && a[name] === b[name]);
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
  /** Per name, the data points by attributesHash: one, or those of the sets that share it. */
  private readonly byName = new Map<
    string,
    { first: ExportPoint; points: Map<number, DataPoint<number> | DataPoint<number>[]> }
  >();
  /** The hashes of this collection's attribute sets: the points of a GPU's fields share one. */
  private readonly hashes = new Map<Attributes, number>();

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
    const { attributes } = point;
    let hash = this.hashes.get(attributes);
    if (hash === undefined) {
      hash = attributesHash(attributes);
      this.hashes.set(attributes, hash);
    }
    const added: DataPoint<number> = {
      startTime: this.starts.get(point) ?? this.time,
      endTime: this.time,
      attributes,
      value: point.value,
    };
    const held = group.points.get(hash);
    if (held === undefined || (!Array.isArray(held) && sameAttributes(held.attributes, attributes))) {
      group.points.set(hash, added);
    } else if (!Array.isArray(held)) {
      group.points.set(hash, [held, added]);
    } else {
      const same = held.findIndex((one) => sameAttributes(one.attributes, attributes));
      if (same < 0) held.push(added);
      else held[same] = added;
    }
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
      const dataPoints = [...points.values()].flat();
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
