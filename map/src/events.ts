import diagnostics_channel from 'node:diagnostics_channel';
import { nextInProcess } from './process-counter.js';
import type { PresizedMapStats } from './stats.js';

/**
 * Names of the `node:diagnostics_channel` channels a presized map publishes on. They are global to
 * the process, so every copy of this package (ESM and CommonJS, or two installed versions) publishes
 * on the same channels and one subscriber sees every map.
 */
export const MAP_CHANNELS = {
  create: 'presize:map:create',
  growStart: 'presize:map:grow-start',
  evacuate: 'presize:map:evacuate',
  growEnd: 'presize:map:grow-end',
  overflow: 'presize:map:overflow',
  clear: 'presize:map:clear',
} as const;

/**
 * `double` and `same_size` are the presized map's incremental growths. `v8_rehash` and `v8_shrink`
 * are the one-shot table rebuilds of a native `Map` observed by `@presize/instrumentation`: the whole table is
 * copied inside one `set()` or `delete()`, so start and end arrive around that one call.
 */
export type GrowthKind = 'double' | 'same_size' | 'v8_rehash' | 'v8_shrink';
/**
 * Presized map: `load_factor`, `overflow`. Native `Map`: `capacity` (live plus deleted entries
 * filled the table), `deleted_entries` (same-size rebuild that drops deleted entries),
 * `low_occupancy` (fewer than a quarter of the slots live after a delete).
 */
export type GrowthTrigger = 'load_factor' | 'overflow' | 'capacity' | 'deleted_entries' | 'low_occupancy';

/** What a subscriber may keep of a map: its identity and a way to read its state. */
export interface ObservedMap {
  readonly name: string;
  readonly id: number;
  stats(): PresizedMapStats;
}

interface MapEvent {
  /** The map that published the event; hold it weakly. */
  map: ObservedMap;
  mapId: number;
  name: string;
}

export interface MapCreateEvent extends MapEvent {
  hint: number;
  B: number;
}

export interface GrowStartEvent extends MapEvent {
  kind: GrowthKind;
  trigger: GrowthTrigger;
  oldB: number;
  newB: number;
  /** Entries in the map when the growth started. */
  size: number;
  /** Overflow buckets counted (Go's `noverflow`) just before the growth. */
  overflowBuckets: number;
  /** Nanoseconds the starting insert spent allocating the new bucket array. */
  allocationNs: number;
}

export interface EvacuateEvent extends MapEvent {
  /** Old buckets this one operation evacuated (1 or 2). */
  bucketsEvacuated: number;
  /** Entries those buckets held, moved to the new array. */
  entriesMoved: number;
  /** Go's `nevacuate` after this step: old buckets known to be evacuated. */
  evacuated: number;
  oldBuckets: number;
  /** Nanoseconds this operation spent evacuating: the stall its caller paid. */
  durationNs: number;
}

export interface GrowEndEvent extends MapEvent {
  kind: GrowthKind;
  trigger: GrowthTrigger;
  oldB: number;
  newB: number;
  size: number;
  /** Writes (sets and deletes) that did evacuation work for this growth, the first one included. */
  operations: number;
  /** Nanoseconds spent evacuating, summed over those writes. */
  evacuationNs: number;
  /** Nanoseconds of wall time from growth start to the last evacuation. */
  durationNs: number;
}

export interface OverflowEvent extends MapEvent {
  /** True when the bucket came from the preallocated pool, false when it was allocated fresh. */
  fromPool: boolean;
  /** Go's `noverflow` after this allocation. */
  overflowBuckets: number;
  B: number;
  growing: boolean;
}

export interface ClearEvent extends MapEvent {
  /** Entries the map held before the clear. */
  size: number;
  B: number;
}

// Private to this module: outside code subscribes through `subscribeMapEvents` and publishes only
// through a `MapEventPublisher`, which builds every payload the same way.
const createChannel = diagnostics_channel.channel(MAP_CHANNELS.create);
const growStartChannel = diagnostics_channel.channel(MAP_CHANNELS.growStart);
const evacuateChannel = diagnostics_channel.channel(MAP_CHANNELS.evacuate);
const growEndChannel = diagnostics_channel.channel(MAP_CHANNELS.growEnd);
const overflowChannel = diagnostics_channel.channel(MAP_CHANNELS.overflow);
const clearChannel = diagnostics_channel.channel(MAP_CHANNELS.clear);

/** One handler per event a subscriber wants; absent handlers subscribe to nothing. */
export interface MapEventHandlers {
  create?(event: MapCreateEvent): void;
  growStart?(event: GrowStartEvent): void;
  evacuate?(event: EvacuateEvent): void;
  growEnd?(event: GrowEndEvent): void;
  overflow?(event: OverflowEvent): void;
  clear?(event: ClearEvent): void;
}

/**
 * Subscribes to the map events of every presized map (and observed native map) in the process;
 * returns the function that unsubscribes. Handlers run synchronously inside the map operation that
 * published: they must be quick and must not throw (diagnostics_channel reports a throwing
 * subscriber as an uncaught exception).
 */
export function subscribeMapEvents(handlers: MapEventHandlers): () => void {
  const subscribed: [string, (message: unknown) => void][] = [];
  for (const event of Object.keys(MAP_CHANNELS) as (keyof typeof MAP_CHANNELS)[]) {
    const handler = handlers[event] as ((message: never) => void) | undefined;
    if (typeof handler !== 'function') continue;
    const listener = (message: unknown) => handler.call(handlers, message as never);
    diagnostics_channel.subscribe(MAP_CHANNELS[event], listener);
    subscribed.push([MAP_CHANNELS[event], listener]);
  }
  return () => {
    for (const [name, listener] of subscribed.splice(0)) diagnostics_channel.unsubscribe(name, listener);
  };
}

/** Ids unique across every copy of this package in the process, for every kind of observed map. */
export function nextMapId(): number {
  return nextInProcess('presize.map.id');
}

/**
 * Publishes one map's events. Every method checks for subscribers first and builds nothing when
 * there are none, so a map nobody watches pays one property read per event site.
 */
export class MapEventPublisher {
  constructor(private readonly map: ObservedMap) {}

  /** Whether a growth's start and end are heard, so that its allocation and duration are worth timing. */
  get timesGrowth(): boolean {
    return growStartChannel.hasSubscribers || growEndChannel.hasSubscribers;
  }

  /** Whether evacuation steps are heard, so that each step is worth timing. */
  get timesEvacuation(): boolean {
    return evacuateChannel.hasSubscribers || growEndChannel.hasSubscribers;
  }

  create(hint: number, B: number): void {
    if (createChannel.hasSubscribers) this.publish<MapCreateEvent>(createChannel, { hint, B });
  }

  clear(size: number, B: number): void {
    if (clearChannel.hasSubscribers) this.publish<ClearEvent>(clearChannel, { size, B });
  }

  overflow(fromPool: boolean, overflowBuckets: number, B: number, growing: boolean): void {
    if (overflowChannel.hasSubscribers) {
      this.publish<OverflowEvent>(overflowChannel, { fromPool, overflowBuckets, B, growing });
    }
  }

  growStart(
    kind: GrowthKind,
    trigger: GrowthTrigger,
    oldB: number,
    newB: number,
    size: number,
    overflowBuckets: number,
    allocationNs: number,
  ): void {
    if (!growStartChannel.hasSubscribers) return;
    const payload = { kind, trigger, oldB, newB, size, overflowBuckets, allocationNs };
    this.publish<GrowStartEvent>(growStartChannel, payload);
  }

  evacuate(
    bucketsEvacuated: number,
    entriesMoved: number,
    evacuated: number,
    oldBuckets: number,
    durationNs: number,
  ): void {
    if (!evacuateChannel.hasSubscribers) return;
    const payload = { bucketsEvacuated, entriesMoved, evacuated, oldBuckets, durationNs };
    this.publish<EvacuateEvent>(evacuateChannel, payload);
  }

  growEnd(
    kind: GrowthKind,
    trigger: GrowthTrigger,
    oldB: number,
    newB: number,
    size: number,
    operations: number,
    evacuationNs: number,
    durationNs: number,
  ): void {
    if (!growEndChannel.hasSubscribers) return;
    const payload = { kind, trigger, oldB, newB, size, operations, evacuationNs, durationNs };
    this.publish<GrowEndEvent>(growEndChannel, payload);
  }

  /** Every event names its map the same way; `payload` is what is particular to the event. */
  private publish<E extends MapEvent>(channel: diagnostics_channel.Channel, payload: Omit<E, keyof MapEvent>): void {
    const { map } = this;
    // Id 0: a map the package builds for itself when it loads (shape-keeper.ts), not the application's.
    if (map.id === 0) return;
    channel.publish({ map, mapId: map.id, name: map.name, ...payload });
  }
}
