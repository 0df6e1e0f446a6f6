import type { Attributes } from '@opentelemetry/api';
import { CardinalityCap, overflowAttributes } from '../cardinality-cap.js';
import { ATTR_GROWTH_KIND, ATTR_GROWTH_TRIGGER, ATTR_MAP_NAME } from '../semconv.js';
import { EVACUATION_STALL_BUCKETS, GROWTH_ALLOCATION_BUCKETS, GROWTH_DURATION_BUCKETS } from './buckets.js';
import { HistogramAggregate } from './histogram-aggregate.js';

/** The series of the maps created without a name while they are small. */
export const UNNAMED_SERIES_NAME = '_unnamed';

/** Growths of one kind and trigger in a series: counted at their start, timed at their end. */
export interface GrowthTally {
  readonly attributes: Attributes;
  count: number;
  readonly duration: HistogramAggregate;
}

/**
 * One metric series: the maps that share a name. The per-operation counters are
 * plain fields here, read at collection time: an evacuation step then costs an addition instead
 * of an SDK call that hashes its attributes.
 */
export interface Series {
  readonly attributes: Attributes;
  evacuatedBuckets: number;
  overflowFromPool: number;
  overflowFresh: number;
  /**
   * Evacuation stalls (seconds): those not yet recorded in the histogram instrument, recorded at
   * collection; or, when a MetricProducer exports the series, every one since `since`.
   */
  readonly stalls: HistogramAggregate;
  /** Growths by kind and trigger, kept when a MetricProducer exports the series. */
  readonly growths: Map<string, GrowthTally>;
  /** Allocation time of the growths' new arrays, kept when a MetricProducer exports the series. */
  readonly allocations: HistogramAggregate;
  /** When the series was first seen (ms since the epoch): the start of its cumulative points. */
  readonly since: number;
  /** Whether the gauges have reported a live map of this series. */
  reported: boolean;
  /** Maps counted in the series that have not been collected. */
  maps: number;
  /** The collection that first found the series without maps; undefined while it has some. */
  emptySince: number | undefined;
  /** The cap whose slot the series holds (none for the unnamed and overflow series). */
  readonly cap: CardinalityCap | undefined;
}

/** The growth tally of a kind and trigger in a series, created on first use. */
export function growthTally(series: Series, kind: string, trigger: string): GrowthTally {
  const key = `${kind}\u0000${trigger}`;
  let tally = series.growths.get(key);
  if (tally === undefined) {
    tally = {
      attributes: { ...series.attributes, [ATTR_GROWTH_KIND]: kind, [ATTR_GROWTH_TRIGGER]: trigger },
      count: 0,
      duration: new HistogramAggregate(GROWTH_DURATION_BUCKETS),
    };
    series.growths.set(key, tally);
  }
  return tally;
}

export interface SeriesLimits {
  /** Series of presized maps at once, the overflow series included. */
  maxMapSeries: number;
  /** Series of native maps at once, the overflow series included. */
  maxNativeMapSeries: number;
  /** Logs a cap's one warning. */
  warn: (message: string) => void;
}

/**
 * The series of the process's maps, bounded: a series of its own for each name up to
 * a cap, one for every other name beyond it (`_overflow`), one for all the small unnamed maps
 * (`_unnamed`). A series without maps is removed by `removeExported` once every consumer has
 * exported it since it lost its last map; until then it keeps its cap slot.
 */
export class SeriesTable {
  private readonly byKey = new Map<string, Series>();
  private readonly mapCap: CardinalityCap;
  private readonly nativeCap: CardinalityCap;

  constructor(limits: SeriesLimits) {
    this.mapCap = new CardinalityCap(limits.maxMapSeries, limits.warn, 'map series (presize.map.name)', 'maxMapSeries');
    this.nativeCap = new CardinalityCap(
      limits.maxNativeMapSeries,
      limits.warn,
      'native map series (presize.map.name)',
      'maxNativeMapSeries',
    );
  }

  /**
   * The series a map of this name is counted in; the caller attaches the map to it. The shards of a
   * ShardedMap carry its name and are one series: a shard is an implementation detail, and a series
   * per shard would multiply a sharded map's cardinality by its shard count.
   */
  get(name: string, native: boolean): Series {
    const key = name;
    const known = this.byKey.get(key);
    if (known !== undefined) return known;
    const cap = native ? this.nativeCap : this.mapCap;
    if (!cap.admit()) return this.fixed(OVERFLOW_KEY, overflowAttributes(ATTR_MAP_NAME));
    const attributes: Attributes = { [ATTR_MAP_NAME]: name };
    const series = newSeries(attributes, cap);
    this.byKey.set(key, series);
    return series;
  }

  /** The series of the small maps created without a name. */
  unnamed(): Series {
    return this.fixed(UNNAMED_KEY, { [ATTR_MAP_NAME]: UNNAMED_SERIES_NAME });
  }

  private fixed(key: string, attributes: Attributes): Series {
    let series = this.byKey.get(key);
    if (series === undefined) {
      series = newSeries(attributes, undefined);
      this.byKey.set(key, series);
    }
    return series;
  }

  values(): IterableIterator<Series> {
    return this.byKey.values();
  }

  /** Series held, removed ones excluded. */
  get size(): number {
    return this.byKey.size;
  }

  /** Marks the series that have no map left as empty since `collection`. */
  markEmpty(collection: number): void {
    for (const series of this.byKey.values()) {
      if (series.maps > 0) series.emptySince = undefined;
      else series.emptySince ??= collection;
    }
  }

  /**
   * Removes the series that have had no map since a collection every consumer has made since (so
   * their final values were exported), and gives their cap slots back.
   */
  removeExported(everyConsumerCollected: number): void {
    for (const [key, series] of this.byKey) {
      if (series.maps === 0 && series.emptySince !== undefined && series.emptySince <= everyConsumerCollected) {
        this.byKey.delete(key);
        series.cap?.release();
      }
    }
  }
}

// Keys of the shared series, apart from the names of maps: they start with U+0000, which no map
// name in a scrape can usefully hold (a map so named joins the overflow series, nothing worse).
const OVERFLOW_KEY = '\u0000overflow';
const UNNAMED_KEY = '\u0000unnamed';

function newSeries(attributes: Attributes, cap: CardinalityCap | undefined): Series {
  return {
    attributes,
    evacuatedBuckets: 0,
    overflowFromPool: 0,
    overflowFresh: 0,
    stalls: new HistogramAggregate(EVACUATION_STALL_BUCKETS),
    growths: new Map(),
    allocations: new HistogramAggregate(GROWTH_ALLOCATION_BUCKETS),
    since: Date.now(),
    reported: false,
    maps: 0,
    emptySince: undefined,
    cap,
  };
}
