import diagnostics_channel from 'node:diagnostics_channel';
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
 * are the one-shot table rebuilds of an observed native `Map` (see ../native/): the whole table is
 * copied inside one `set()` or `delete()`, so start and end arrive around that one call.
 */
export type GrowthKind = 'double' | 'same_size' | 'v8_rehash' | 'v8_shrink';
/**
 * Presized map: `load_factor`, `overflow`. Native `Map`: `capacity` (live plus deleted entries
 * filled the table), `deleted_entries` (same-size rebuild that drops deleted entries),
 * `low_occupancy` (fewer than a quarter of the slots live after a delete).
 */
export type GrowthTrigger =
  | 'load_factor'
  | 'overflow'
  | 'capacity'
  | 'deleted_entries'
  | 'low_occupancy';

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

export const createChannel = diagnostics_channel.channel(MAP_CHANNELS.create);
export const growStartChannel = diagnostics_channel.channel(MAP_CHANNELS.growStart);
export const evacuateChannel = diagnostics_channel.channel(MAP_CHANNELS.evacuate);
export const growEndChannel = diagnostics_channel.channel(MAP_CHANNELS.growEnd);
export const overflowChannel = diagnostics_channel.channel(MAP_CHANNELS.overflow);
export const clearChannel = diagnostics_channel.channel(MAP_CHANNELS.clear);
