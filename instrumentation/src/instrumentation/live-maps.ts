import type { Span } from '@opentelemetry/api';
import type { ObservedMap } from '@presize/map';
import { NativeMapObservation } from '../native/observe-map.js';
import type { Series, SeriesTable } from './series.js';

/** A growth whose span is open: from growth start until growth end or `clear()`. */
export interface OpenGrowth {
  readonly span: Span;
}

/** What the instrumentation keeps per map. It holds the map only weakly. */
export interface MapRecord {
  readonly ref: WeakRef<ObservedMap>;
  /**
   * Maps with the same name are one series; gauges sum them. A small unnamed map is
   * counted in the unnamed series until it is promoted to a series of its own.
   */
  series: Series;
  /** Created without a name (`presized-map-<id>`, `sharded-map-<n>`) and not promoted yet. */
  unnamed: boolean;
  growth: OpenGrowth | undefined;
}

/** The fields every channel payload has. */
export interface MapEventIdentity {
  map: ObservedMap;
  name: string;
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
      if (this.all.delete(record)) this.collected(record);
    });
  }

  /** The record of the event's map, created the first time the map is seen. */
  learn(event: MapEventIdentity): MapRecord {
    const known = this.records.get(event.map);
    if (known !== undefined) return known;
    const unnamed = isUnnamed(event);
    const series = unnamed ? this.series.unnamed() : this.series.get(event.name, isNative(event.map));
    series.maps++;
    const record: MapRecord = { ref: new WeakRef(event.map), series, unnamed, growth: undefined };
    this.records.set(event.map, record);
    this.all.add(record);
    this.finalizer.register(event.map, record, record);
    return record;
  }

  /** Moves an unnamed map that has grown large into a series of its own. */
  promote(record: MapRecord, map: ObservedMap): void {
    if (!record.unnamed) return;
    record.unnamed = false;
    record.series.maps--;
    record.series = this.series.get(map.name, false);
    record.series.maps++;
  }

  /** Live maps with their records; records of collected maps are dropped on the way. */
  *live(): IterableIterator<[ObservedMap, MapRecord]> {
    for (const record of this.all) {
      const map = record.ref.deref();
      if (map === undefined) {
        this.all.delete(record);
        this.finalizer.unregister(record);
        this.collected(record);
        continue;
      }
      yield [map, record];
    }
  }

  /** Lets every map go (the instrumentation is disabled): each record's series counts it no more. */
  detachAll(each: (record: MapRecord) => void): void {
    for (const [, record] of this.live()) {
      each(record);
      record.series.maps--;
      this.finalizer.unregister(record);
    }
    this.all.clear();
  }

  private collected(record: MapRecord): void {
    record.series.maps--;
    this.onCollected(record);
  }

  /** Records still held (live maps, and collected ones not yet swept). */
  get count(): number {
    return this.all.size;
  }
}

/**
 * A map given no name: the defaults `presized-map-<id>` of a PresizedMap and `sharded-map-<n>` of
 * a ShardedMap's shards. Recognised by shape so that maps of every copy of the package are.
 */
function isUnnamed(event: MapEventIdentity): boolean {
  const mapId = (event as { mapId?: unknown }).mapId ?? event.map.id;
  return event.name === `presized-map-${String(mapId)}` || /^sharded-map-\d+$/.test(event.name);
}

function isNative(map: ObservedMap): boolean {
  return map instanceof NativeMapObservation;
}
