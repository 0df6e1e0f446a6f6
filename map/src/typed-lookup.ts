import { EMPTY_REST, ENTRY_BITS, NO_BUCKET, ROW_BYTES, ROW_ENTRY, ROW_LINK, ROW_WORDS } from './bucket-array.js';
import { ENTRY_CHUNK_MASK, ENTRY_CHUNK_SHIFT, type EntryChunk } from './entry-store.js';
import { hashHigh, hashString, int32Hash, topHash } from './hash.js';

// The lookups of `get`, one per key type, used while the map is not growing: each hashes the key
// and searches its chain.
//
// Hash and search in one function, so that V8 compiles them as one: optimising a function, it
// inlines callees up to a budget of bytecode (920 bytes in Node 20, counting what a callee has
// inlined itself, times 1.2). The string hash with its finalisers is about 700 bytes. Inlined
// into `get` (277 bytes) next to the chain search, it never fitted, and every string get called
// it. Alone in a function with the search it fits; `get` then stays small, and calls this
// function, with the hash inlined, instead of the hash.
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
const BYTES_A_ROW = ROW_BYTES;
const WORDS_A_ROW = ROW_WORDS;
const FIRST_ENTRY = ROW_ENTRY;
const LINK = ROW_LINK;
const SLOT_ENTRY = ENTRY_BITS;

/**
 * The value of the string `key` in a table whose bucket mask is `mask` and hash key (k0, k1), or
 * undefined. A scan ends at the first EMPTY_REST slot: nothing lives after it in the chain.
 */
export function stringValue(
  tophash: Uint8Array,
  rows: Int32Array,
  chunks: readonly EntryChunk[],
  mask: number,
  k0: number,
  k1: number,
  key: string,
): unknown {
  let b = hashString(key, k0, k1) & mask;
  const top = topHash(hashHigh());
  do {
    const tops = b * BYTES_A_ROW;
    const entries = b * WORDS_A_ROW + FIRST_ENTRY;
    for (let i = 0; i < 8; i++) {
      const t = tophash[tops + i];
      if (t === top) {
        const entry = rows[entries + i]! & SLOT_ENTRY;
        const chunk = chunks[entry >>> CHUNK_SHIFT]!;
        const at = (entry & CHUNK_MASK) << 1;
        const k = chunk[at];
        if (typeof k === 'string' && k === key) return chunk[at + 1];
      } else if (t === REST_EMPTY) {
        return undefined;
      }
    }
    b = rows[b * WORDS_A_ROW + LINK]!;
  } while (b !== END_OF_CHAIN);
  return undefined;
}

/** As `stringValue`, for an int32 `key` (a small integer in V8: `key | 0`, never -0). */
export function int32Value(
  tophash: Uint8Array,
  rows: Int32Array,
  chunks: readonly EntryChunk[],
  mask: number,
  k0: number,
  k1: number,
  key: number,
): unknown {
  let b = int32Hash(key, k0, k1) & mask;
  const top = topHash(hashHigh());
  do {
    const tops = b * BYTES_A_ROW;
    const entries = b * WORDS_A_ROW + FIRST_ENTRY;
    for (let i = 0; i < 8; i++) {
      const t = tophash[tops + i];
      if (t === top) {
        const entry = rows[entries + i]! & SLOT_ENTRY;
        const chunk = chunks[entry >>> CHUNK_SHIFT]!;
        const at = (entry & CHUNK_MASK) << 1;
        const k = chunk[at];
        if (typeof k === 'number' && k === key) return chunk[at + 1];
      } else if (t === REST_EMPTY) {
        return undefined;
      }
    }
    b = rows[b * WORDS_A_ROW + LINK]!;
  } while (b !== END_OF_CHAIN);
  return undefined;
}
