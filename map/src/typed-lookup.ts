import { EMPTY_REST, NO_BUCKET } from './bucket-array.js';
import { ENTRY_CHUNK_MASK, ENTRY_CHUNK_SHIFT, type EntryChunk } from './entry-store.js';

// The chain searches of `get` and `has`, one per key type. V8 keeps the type feedback of a `===`
// per function: one search shared by string and number keys learns both, and its optimised code
// then compares keys through the generic strict-equality builtin (and deoptimises when the second
// type arrives after the first). A search that only ever compares strings compiles to a pointer
// check before the string comparison, one that only compares int32 values to a tag check and an
// integer compare. Each tests the stored key's type first, so a map holding both types never
// shows a search a key of the other type.

/**
 * The entry holding the string `key` in the chain that starts at `bucket`, or -1. A scan ends at
 * the first EMPTY_REST slot: nothing lives after it in the chain.
 */
export function stringEntry(
  tophash: Uint8Array,
  entries: Int32Array,
  links: Int32Array,
  chunks: readonly EntryChunk[],
  bucket: number,
  key: string,
  top: number,
): number {
  let b = bucket;
  do {
    const end = (b << 3) + 8;
    for (let j = b << 3; j < end; j++) {
      const t = tophash[j];
      if (t === top) {
        const entry = entries[j]!;
        const k = chunks[entry >>> ENTRY_CHUNK_SHIFT]![(entry & ENTRY_CHUNK_MASK) << 1];
        if (typeof k === 'string' && k === key) return entry;
      } else if (t === EMPTY_REST) {
        return -1;
      }
    }
    b = links[b]!;
  } while (b !== NO_BUCKET);
  return -1;
}

/** As `stringEntry`, for an int32 `key` (a small integer in V8: `key | 0`, never -0). */
export function int32Entry(
  tophash: Uint8Array,
  entries: Int32Array,
  links: Int32Array,
  chunks: readonly EntryChunk[],
  bucket: number,
  key: number,
  top: number,
): number {
  let b = bucket;
  do {
    const end = (b << 3) + 8;
    for (let j = b << 3; j < end; j++) {
      const t = tophash[j];
      if (t === top) {
        const entry = entries[j]!;
        const k = chunks[entry >>> ENTRY_CHUNK_SHIFT]![(entry & ENTRY_CHUNK_MASK) << 1];
        if (typeof k === 'number' && k === key) return entry;
      } else if (t === EMPTY_REST) {
        return -1;
      }
    }
    b = links[b]!;
  } while (b !== NO_BUCKET);
  return -1;
}
