import type { Attributes } from '@opentelemetry/api';
import { ATTR_MAP_NAME, ATTR_MAP_SHARD } from '../semconv.js';
import { EVACUATION_STALL_BUCKETS } from './buckets.js';
import { HistogramAggregate } from './histogram-aggregate.js';

/**
 * One metric series: the maps that share a name (and shard). The per-operation counters are
 * plain fields here, read by observable counters at collection time: an evacuation step then
 * costs an addition instead of an SDK call that hashes its attributes, and the totals outlive
 * the maps that made them, as a counter's must.
 */
export interface Series {
  readonly attributes: Attributes;
  evacuatedBuckets: number;
  overflowFromPool: number;
  overflowFresh: number;
  /**
   * Evacuation stalls (seconds): those not yet recorded in the histogram instrument, recorded at
   * collection; or, when a MetricProducer exports them, every one since `since`.
   */
  readonly stalls: HistogramAggregate;
  /** When the series was first seen (ms since the epoch): the start of its cumulative points. */
  readonly since: number;
  /** Whether the gauges have reported a live map of this series. */
  reported: boolean;
}

/** Every series seen since the instrumentation was created; as many as there are map names. */
export class SeriesTable {
  private readonly byKey = new Map<string, Series>();

  get(name: string, shard: number | undefined): Series {
    const key = shard === undefined ? name : `${name}\u0000${shard}`;
    let series = this.byKey.get(key);
    if (series === undefined) {
      series = {
        attributes:
          shard === undefined
            ? { [ATTR_MAP_NAME]: name }
            : { [ATTR_MAP_NAME]: name, [ATTR_MAP_SHARD]: shard },
        evacuatedBuckets: 0,
        overflowFromPool: 0,
        overflowFresh: 0,
        stalls: new HistogramAggregate(EVACUATION_STALL_BUCKETS),
        since: Date.now(),
        reported: false,
      };
      this.byKey.set(key, series);
    }
    return series;
  }

  values(): IterableIterator<Series> {
    return this.byKey.values();
  }
}
