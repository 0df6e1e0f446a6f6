/**
 * V8's policy for the ordered hash table behind every `Map` (src/objects/ordered-hash-table.cc and
 * the Map builtins), reduced to the three counters that decide when a table is rebuilt:
 *
 * - capacity: entry slots, a power of two, at least 4; buckets = capacity / 2.
 * - an insert of a new key needs a free slot: when live + deleted entries fill the capacity, the
 *   whole table is rebuilt first, at twice the capacity, or at the same capacity when at least
 *   half the slots hold deleted entries (rebuilding drops them);
 * - a delete that leaves fewer than capacity / 4 live entries rebuilds the table at half the
 *   capacity (never below 4); rebuilding at the minimum is still a rebuild;
 * - `clear()` replaces the table by an empty one of capacity 4.
 *
 * A rebuild copies every live entry in one go, inside the `set()` or `delete()` that caused it:
 * that call is the stall. Validated on the running Node version by test/native/v8-model.test.ts.
 */
export const V8_MIN_CAPACITY = 4;
/** Entry slots per bucket (V8's kLoadFactor). */
export const V8_ENTRIES_PER_BUCKET = 2;

export type V8RehashKind = 'grow' | 'compact' | 'shrink';

export interface V8Rehash {
  readonly kind: V8RehashKind;
  readonly oldCapacity: number;
  readonly newCapacity: number;
}

/** The mutable state of one modelled table. `live` is the map's size, read from the map itself. */
export interface V8TableState {
  capacity: number;
  /** Deleted entries still occupying slots since the last rebuild. */
  deleted: number;
}

export function emptyTable(): V8TableState {
  return { capacity: V8_MIN_CAPACITY, deleted: 0 };
}

/**
 * The table of a map that holds `size` entries and whose history is unknown: the smallest table
 * that inserts alone would have grown to. Exact for a map that has never had a key deleted.
 */
export function tableForSize(size: number): V8TableState {
  let capacity = V8_MIN_CAPACITY;
  while (capacity < size) capacity *= 2;
  return { capacity, deleted: 0 };
}

/** True when inserting one new key into a map of `live` entries rebuilds the table first. */
export function insertRehashes(state: V8TableState, live: number): boolean {
  return live + state.deleted >= state.capacity;
}

/** Applies the rebuild that inserting a new key performs; call only when `insertRehashes`. */
export function rehashForInsert(state: V8TableState): V8Rehash {
  const oldCapacity = state.capacity;
  const compact = state.deleted >= oldCapacity / 2;
  state.capacity = compact ? oldCapacity : oldCapacity * 2;
  state.deleted = 0;
  return { kind: compact ? 'compact' : 'grow', oldCapacity, newCapacity: state.capacity };
}

/** True when deleting an existing key, leaving `liveAfter` entries, rebuilds the table. */
export function deleteRehashes(state: V8TableState, liveAfter: number): boolean {
  return liveAfter * 2 < state.capacity / V8_ENTRIES_PER_BUCKET;
}

/** Records a delete of an existing key and applies the shrink it may cause. */
export function applyDelete(state: V8TableState, liveAfter: number): V8Rehash | undefined {
  if (!deleteRehashes(state, liveAfter)) {
    state.deleted += 1;
    return undefined;
  }
  const oldCapacity = state.capacity;
  state.capacity = Math.max(V8_MIN_CAPACITY, oldCapacity / 2);
  state.deleted = 0;
  return { kind: 'shrink', oldCapacity, newCapacity: state.capacity };
}

export function applyClear(state: V8TableState): void {
  state.capacity = V8_MIN_CAPACITY;
  state.deleted = 0;
}

export function bucketsOf(capacity: number): number {
  return capacity / V8_ENTRIES_PER_BUCKET;
}

/** The 0-based indices of the inserts that rebuild a table filled with `count` new keys. */
export function insertRehashIndices(count: number): number[] {
  const indices: number[] = [];
  const state = emptyTable();
  for (let live = 0; live < count; live++) {
    if (insertRehashes(state, live)) {
      rehashForInsert(state);
      indices.push(live);
    }
  }
  return indices;
}
