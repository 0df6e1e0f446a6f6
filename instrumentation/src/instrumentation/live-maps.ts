import type { Attributes, Span } from '@opentelemetry/api';
import type { ObservedMap } from '../map/channels.js';
import { ATTR_MAP_NAME, ATTR_MAP_SHARD, ATTR_OVERFLOW_SOURCE } from '../semconv.js';

/** A growth whose span is open: from growth start until growth end or `clear()`. */
export interface OpenGrowth {
  readonly span: Span;
}

/** What the instrumentation keeps per map. It holds the map only weakly. */
export interface MapRecord {
  readonly ref: WeakRef<ObservedMap>;
  /** `presize.map.name`, and `presize.map.shard` for a shard of a sharded map. */
  readonly attributes: Attributes;
  /** Maps with equal attributes are one series; gauges sum them. */
  readonly seriesKey: string;
  readonly overflowFromPool: Attributes;
  readonly overflowFresh: Attributes;
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

  constructor(private readonly onCollected: (record: MapRecord) => void) {
    this.finalizer = new FinalizationRegistry((record) => {
      if (this.all.delete(record)) onCollected(record);
    });
  }

  /** The record of the event's map, created the first time the map is seen. */
  learn(event: MapEventIdentity): MapRecord {
    const known = this.records.get(event.map);
    if (known !== undefined) return known;
    const shard = shardOf(event);
    const attributes: Attributes =
      shard === undefined
        ? { [ATTR_MAP_NAME]: event.name }
        : { [ATTR_MAP_NAME]: event.name, [ATTR_MAP_SHARD]: shard };
    const record: MapRecord = {
      ref: new WeakRef(event.map),
      attributes,
      seriesKey: shard === undefined ? event.name : `${event.name}\u0000${shard}`,
      overflowFromPool: { ...attributes, [ATTR_OVERFLOW_SOURCE]: 'pool' },
      overflowFresh: { ...attributes, [ATTR_OVERFLOW_SOURCE]: 'fresh' },
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
