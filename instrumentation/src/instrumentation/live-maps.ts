import type { Span } from '@opentelemetry/api';
import type { ObservedMap } from '@presize/map';
import type { Series, SeriesTable } from './series.js';

/** A growth whose span is open: from growth start until growth end or `clear()`. */
export interface OpenGrowth {
  readonly span: Span;
}

/** What the instrumentation keeps per map. It holds the map only weakly. */
export interface MapRecord {
  readonly ref: WeakRef<ObservedMap>;
  /** Maps with the same name and shard are one series; gauges sum them. */
  readonly series: Series;
  growth: OpenGrowth | undefined;
}

/** The fields every channel payload has, plus the shard index a sharded map may add. */
export interface MapEventIdentity {
  map: ObservedMap;
  name: string;
  shard?: number;
}

/**
 * The maps the instrumentation has heard of, held through weak references so that observing a map
 * never keeps it alive. A collected map disappears from `live()` (swept on each pass, and removed
 * by a finalizer, which also ends a growth span the map left open).
 */
export class LiveMaps {
  private readonly records = new WeakMap<ObservedMap, MapRecord>();
  private readonly all = new Set<MapRecord>();
  private readonly finalizer: FinalizationRegistry<MapRecord>;

  constructor(
    private readonly series: SeriesTable,
    private readonly onCollected: (record: MapRecord) => void,
  ) {
    this.finalizer = new FinalizationRegistry((record) => {
      if (this.all.delete(record)) onCollected(record);
    });
  }

  /** The record of the event's map, created the first time the map is seen. */
  learn(event: MapEventIdentity): MapRecord {
    const known = this.records.get(event.map);
    if (known !== undefined) return known;
    const record: MapRecord = {
      ref: new WeakRef(event.map),
      series: this.series.get(event.name, shardOf(event)),
      growth: undefined,
    };
    this.records.set(event.map, record);
    this.all.add(record);
    this.finalizer.register(event.map, record, record);
    return record;
  }

  /** Live maps with their records; records of collected maps are dropped on the way. */
  *live(): IterableIterator<[ObservedMap, MapRecord]> {
    for (const record of this.all) {
      const map = record.ref.deref();
      if (map === undefined) {
        this.all.delete(record);
        this.finalizer.unregister(record);
        this.onCollected(record);
        continue;
      }
      yield [map, record];
    }
  }

  /** Records still held (live maps, and collected ones not yet swept). */
  get count(): number {
    return this.all.size;
  }
}

function shardOf(event: MapEventIdentity): number | undefined {
  if (typeof event.shard === 'number') return event.shard;
  const fromMap = (event.map as { shard?: unknown }).shard;
  return typeof fromMap === 'number' ? fromMap : undefined;
}
