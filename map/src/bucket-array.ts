import { overflowPoolSize } from './sizing.js';

/** Tophash markers (Go's values). Live entries have a tophash of at least MIN_TOP_HASH. */
export const EMPTY_REST = 0;
export const EMPTY_ONE = 1;
export const EVACUATED_X = 2;
export const EVACUATED_Y = 3;
export const EVACUATED_EMPTY = 4;
export const MIN_TOP_HASH = 5;

/** Bucket index meaning "no overflow bucket": bucket 0 is always a main bucket, never a link target. */
export const NO_BUCKET = 0;

/**
 * A bucket's row: its 8 tophash bytes (words 0 and 1, read bytewise), the entry numbers of its 8
 * slots (words 2 to 9), its overflow link (word 10). 44 bytes, as the three parallel arrays took.
 */
export const ROW_WORDS = 11;
export const ROW_BYTES = ROW_WORDS * 4;
/** Word of a row holding the entry of its slot 0. */
export const ROW_ENTRY = 2;
/** Word of a row holding its overflow link. */
export const ROW_LINK = ROW_ENTRY + 8;

/**
 * A slot's word holds its entry number in bits 0 to 27 (a map numbers at most 2^28 entries, see
 * MAX_ENTRIES) and, in bits 28 to 31, the hash bits that decide where the entry goes at the next
 * doublings, as far as they are known: 0 when none is, else a marker bit followed by up to three
 * bits of the key's hash (the lowest, bit B of the low half, for the next doubling).
 *
 * Why: a doubling must know that bit for every entry it moves, and Go recomputes each key's hash
 * to get it. In JavaScript that is the costliest part of an evacuating write (a string key's
 * characters are read again, most often a cache miss). The bits are known for free when the key
 * is inserted (its hash was just computed) and when a doubling rehashes a key anyway; each
 * doubling that moves an entry without a rehash uses one of them up. With three kept, a map that
 * keeps growing rehashes about one entry in fifteen at a doubling (one in three with a single
 * bit), and a same-size growth none.
 */
export const ENTRY_BITS = 0x0fffffff;
/** Bits 28 to 31 of a slot word: the split bits, behind a marker bit that counts them. */
const SPLIT_SHIFT = 28;
/** The marker of three split bits. */
const THREE_SPLIT_BITS = 8;

/** A slot word for `entry`, with the split bits of the next three doublings of a table of 2^B buckets taken from `lo`. */
export function slotWord(entry: number, lo: number, B: number): number {
  return entry | ((THREE_SPLIT_BITS | ((lo >>> B) & 7)) << SPLIT_SHIFT);
}

/** The split field of a slot word: 0 or 1 when no split bit is known, else marker and bits. */
export function splitField(word: number): number {
  return word >>> SPLIT_SHIFT;
}

/** The word of an entry that a doubling moved with the split bit of `field`: the next bits kept, if any. */
export function afterSplit(word: number, field: number): number {
  const rest = field >>> 1;
  return rest > 1 ? (word & ENTRY_BITS) | (rest << SPLIT_SHIFT) : word & ENTRY_BITS;
}

/** Index in `tophash` of slot `slot` (bucket * 8 + i): byte i of the bucket's row. */
export function topAt(slot: number): number {
  return slot + (slot >>> 3) * (ROW_BYTES - 8);
}

/** Index in `rows` of the word (entry number and split bit) of slot `slot` (bucket * 8 + i). */
export function entryAt(slot: number): number {
  return slot + (slot >>> 3) * (ROW_WORDS - 8) + ROW_ENTRY;
}

/** Index in `rows` of the overflow link of `bucket`. */
export function linkAt(bucket: number): number {
  return bucket * ROW_WORDS + ROW_LINK;
}

/**
 * One bucket array in Go's layout: a row of 44 bytes per bucket (see ROW_WORDS) holding, for each
 * of its 8 slots, a tophash byte and the number of the slot's entry in the map's entry store, and
 * the bucket's overflow link. Slots are numbered bucket * 8 + i; `topAt`, `entryAt` and `linkAt`
 * give their places in the two views of the rows, `tophash` (bytes) and `rows` (int32 words).
 * The keys and values live in the map's entry store (entry-store.ts), so a bucket array holds no
 * reference the garbage collector would have to trace, and creating one costs zeroed pages only.
 *
 * Why rows: a lookup reads a bucket's tophash bytes, then the entry number of the slot that
 * matched. In three parallel arrays (tophash, entries, links) those are two or three cache lines
 * far apart; in one row they are one line, or two adjacent ones (with 1,000,000 int32 keys,
 * cachegrind counts 2.6 first-level read misses a get instead of 3.4; map/README.md, "Lookups").
 *
 * Buckets 0 .. 2^B-1 are the main buckets; the overflow pool of 2^(B-4) buckets follows them, and
 * fresh overflow buckets are appended after the pool when it runs out. A zeroed row is an empty
 * bucket with no overflow (EMPTY_REST and NO_BUCKET are both 0).
 */
export class BucketArray {
  readonly B: number;
  /** The rows as bytes: the tophash of slot i of bucket b at b * ROW_BYTES + i. */
  tophash: Uint8Array;
  /**
   * The rows as int32 words: slot words (entry number and split bit, meaningful only where the
   * tophash is live or evacuated, X or Y) and overflow links.
   */
  rows: Int32Array;
  /** The first bucket after the preallocated pool. */
  readonly poolEnd: number;
  /** The next overflow bucket to hand out: inside the pool while below poolEnd. */
  nextOverflow: number;
  /**
   * `entries`: what the table is built for, the hint of a map (Go's makemap), or `GROWN` for an
   * array made by a growth, which fills up to 6.5 entries per bucket (see `typedBucketsFor`).
   */
  constructor(B: number, entries: number) {
    this.B = B;
    const main = 2 ** B;
    this.poolEnd = main + overflowPoolSize(B);
    this.nextOverflow = main;
    this.rows = newRows(typedBucketsFor(B, entries));
    this.tophash = bytesOf(this.rows);
  }

  /** Buckets the typed arrays have room for: main buckets, the pool and spare room. */
  get capacity(): number {
    return this.rows.length / ROW_WORDS;
  }

  /** Overflow buckets handed out so far (pool and fresh). */
  get overflowInUse(): number {
    return this.nextOverflow - 2 ** this.B;
  }

  /**
   * Hands out the next overflow bucket and links it after `tail`. The typed arrays are replaced
   * when fresh buckets outgrow them, so callers must re-read them afterwards.
   */
  takeOverflow(tail: number): number {
    const bucket = this.nextOverflow++;
    if (bucket >= this.capacity) this.growStorage();
    this.rows[linkAt(tail)] = bucket;
    return bucket;
  }

  /** Empties every slot and link and rebuilds the overflow pool, keeping the storage (Go's mapclear). */
  reset(): void {
    this.rows.fill(0);
    this.nextOverflow = 2 ** this.B;
  }

  private growStorage(): void {
    const capacity = this.capacity + Math.max(8, this.capacity >>> 3);
    const rows = newRows(capacity);
    rows.set(this.rows);
    this.rows = rows;
    this.tophash = bytesOf(rows);
  }
}

/**
 * Rows for `capacity` buckets, in one zeroed `SharedArrayBuffer`.
 *
 * Why shared: V8 counts the memory of an `ArrayBuffer` as external memory. Once 64 MiB more of it
 * exists than after the last mark-compact, V8 starts a full collection ("external memory
 * pressure"), and once 32 MiB of young buffers exist, the next allocation runs a scavenge inside
 * the insert; an unsized map growing past 3,400,000 keys met both. A `SharedArrayBuffer` is not
 * counted as per-isolate external memory, so a growth allocates its table without either. The
 * memory is the same (lazily zeroed pages), still shows in `process.memoryUsage().arrayBuffers`,
 * and is freed once the map drops the array and a collection finds the views dead. Where
 * `SharedArrayBuffer` does not exist (a browser page that is not cross-origin isolated), an
 * `ArrayBuffer` does the same job.
 *
 * Rows of `FRESH_PAGES_FROM` bytes or more come from a shared WebAssembly memory instead (see
 * `freshPages`).
 */
function newRows(capacity: number): Int32Array {
  const bytes = capacity * ROW_BYTES;
  const buffer = (bytes >= FRESH_PAGES_FROM && freshPages(bytes)) || new StorageBuffer(bytes);
  return new Int32Array(buffer, 0, capacity * ROW_WORDS);
}

/** The tophash bytes' view of `rows`: the same bytes (a WebAssembly memory may hold more). */
function bytesOf(rows: Int32Array): Uint8Array {
  return new Uint8Array(rows.buffer, rows.byteOffset, rows.byteLength);
}

const StorageBuffer: typeof ArrayBuffer =
  typeof SharedArrayBuffer === 'function' ? (SharedArrayBuffer as unknown as typeof ArrayBuffer) : ArrayBuffer;

/** 4 MiB: the rows of a table of about 95,000 buckets, grown for up to 600,000 entries. */
export const FRESH_PAGES_FROM = 4 * 2 ** 20;
const WASM_PAGE = 65536;

/**
 * A zeroed buffer of at least `bytes` on pages the kernel maps afresh, or undefined where
 * WebAssembly is not available (`--jitless`) or refuses.
 *
 * Why: Node.js allocates a `SharedArrayBuffer` with the C library's `calloc`. glibc maps a large
 * block afresh, lazily zeroed, only above a threshold that it raises to the size of every mapped
 * block freed (up to 32 MiB); below it the block comes from memory freed before, which `calloc`
 * clears in full, inside the insert that starts a doubling: 3.3 to 4.6 ms for 23 MiB in the
 * latency bench, and up to 90 ms in a loop of 7 to 46 MiB buffers whose cleared pages were not
 * yet mapped (map README, "The insert that starts a doubling"). V8 maps a WebAssembly memory
 * itself, fresh pages every time (0.02 to 0.16 ms for the same sizes), and its buffer is a
 * `SharedArrayBuffer` when the memory is shared, read as fast. Its price is address space: V8
 * reserves 10 GiB of it for every memory (about 13,000 at once in a 47-bit address space), so
 * only tables this large use one, and when the reservation fails (a `ulimit -v`, an
 * application's own memories) the rows come from the allocator as before.
 */
function freshPages(bytes: number): ArrayBuffer | undefined {
  if (WasmMemory === undefined) return undefined;
  const pages = Math.ceil(bytes / WASM_PAGE);
  try {
    return new WasmMemory({ initial: pages, maximum: pages, shared: true }).buffer;
  } catch {
    return undefined;
  }
}

/** `WebAssembly.Memory`, the part used here (the package is typed without DOM or Node.js types). */
type WasmMemoryClass = new (descriptor: { initial: number; maximum: number; shared: boolean }) => {
  readonly buffer: ArrayBuffer;
};
const WasmMemory = (globalThis as { WebAssembly?: { Memory?: WasmMemoryClass } }).WebAssembly?.Memory;

/** `entries` of a bucket array made by a growth: it fills up to the next doubling. */
export const GROWN = -1;

/**
 * Buckets a new array's typed arrays have room for, a table of 2^B buckets built for `entries`
 * entries (or `GROWN`): the main buckets, the pool, and room for fresh overflow buckets, so that
 * the typed arrays are rarely copied into larger ones (a stall proportional to the table). With
 * keys spread at random, a bucket overflows when more than 8 of the table's keys fall in it
 * (Poisson): 5.3 % of the buckets at 4.75 entries a bucket, fewer than the pool's 6.25 %, so a
 * table built for at most that many gets no more room (1,000,000 keys: 3.8 a bucket, 1.6 % of the
 * buckets overflow; 0.72 byte an entry saved). A table built for more gets as much room again as
 * the pool (2^B/16), and a grown table three times that (2^B·3/16): at 6.5 entries a bucket
 * about 21 % of the buckets overflow.
 */
export function typedBucketsFor(B: number, entries: number): number {
  const main = 2 ** B;
  const pool = main + overflowPoolSize(B);
  if (entries === GROWN) return pool + (main >>> 4) * 3;
  return entries * 4 > main * 19 ? pool + (main >>> 4) : pool;
}
