import { EMPTY_REST, NO_BUCKET } from './bucket-array.js';
import { ENTRY_CHUNK_MASK, ENTRY_CHUNK_SHIFT, type EntryChunk } from './entry-store.js';

// The chain searches of `get`, one per key type, used while the map is not growing.
//
// One per key type: V8 keeps the type feedback of a `===` per function, so a search shared by
// string and number keys learns both and compares through the generic strict-equality code. A
// search that only ever compares strings compiles to a pointer check before the string
// comparison, one that only compares int32 values to an integer compare. Each tests the stored
// key's type first, so a map holding both types never shows a search a key of the other type.
//
// They return the value itself, read next to the key that matched, rather than the entry for the
// caller to read again: at 1,000,000 keys, reading it again after the search made a get 1.3 to 1.5
// times slower (map/README.md, "Lookups").

// The constants again as constants of this module: V8's optimised code reads an imported binding
// from its module cell, with a check for the temporal dead zone, on every use in the loop.
const CHUNK_SHIFT = ENTRY_CHUNK_SHIFT;
const CHUNK_MASK = ENTRY_CHUNK_MASK;
const REST_EMPTY = EMPTY_REST;
const END_OF_CHAIN = NO_BUCKET;

/**
 * The value of the string `key` in the chain that starts at `bucket`, or undefined. A scan ends at
 * the first EMPTY_REST slot: nothing lives after it in the chain.
 */
export function stringValue(
  tophash: Uint8Array,
  entries: Int32Array,
  links: Int32Array,
  chunks: readonly EntryChunk[],
  bucket: number,
  key: string,
  top: number,
): unknown {
  let b = bucket;
  do {
    const end = (b << 3) + 8;
    for (let j = b << 3; j < end; j++) {
      const t = tophash[j];
      if (t === top) {
        const entry = entries[j]!;
        const chunk = chunks[entry >>> CHUNK_SHIFT]!;
        const at = (entry & CHUNK_MASK) << 1;
        const k = chunk[at];
        if (typeof k === 'string' && k === key) return chunk[at + 1];
      } else if (t === REST_EMPTY) {
        return undefined;
      }
    }
    b = links[b]!;
  } while (b !== END_OF_CHAIN);
  return undefined;
}

/** As `stringValue`, for an int32 `key` (a small integer in V8: `key | 0`, never -0). */
export function int32Value(
  tophash: Uint8Array,
  entries: Int32Array,
  links: Int32Array,
  chunks: readonly EntryChunk[],
  bucket: number,
  key: number,
  top: number,
): unknown {
  let b = bucket;
  do {
    const end = (b << 3) + 8;
    for (let j = b << 3; j < end; j++) {
      const t = tophash[j];
      if (t === top) {
        const entry = entries[j]!;
        const chunk = chunks[entry >>> CHUNK_SHIFT]!;
        const at = (entry & CHUNK_MASK) << 1;
        const k = chunk[at];
        if (typeof k === 'number' && k === key) return chunk[at + 1];
      } else if (t === REST_EMPTY) {
        return undefined;
      }
    }
    b = links[b]!;
  } while (b !== END_OF_CHAIN);
  return undefined;
}
