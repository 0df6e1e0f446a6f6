import { BUCKET_SHIFT, overflowPoolSize } from './sizing.js';

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
 * One bucket array in Go's layout, split into parallel typed arrays indexed by
 * slot = bucket * 8 + i: a tophash byte per slot (`Uint8Array`), the number of the slot's entry in
 * the map's entry store per slot (`Int32Array`), and an overflow link per bucket (`Int32Array`).
 * The keys and values live in the map's entry store (entry-store.ts), so a bucket array holds no reference
 * the garbage collector would have to trace, and creating one costs zeroed pages only.
 *
 * Buckets 0 .. 2^B-1 are the main buckets; the overflow pool of 2^(B-4) buckets follows them, and
 * fresh overflow buckets are appended after the pool when it runs out.
 */
export class BucketArray {
  readonly B: number;
  tophash: Uint8Array;
  /** The entry of each slot; meaningful only where the tophash is live or evacuated (X or Y). */
  entries: Int32Array;
  links: Int32Array;
  /** The first bucket after the preallocated pool. */
  readonly poolEnd: number;
  /** The next overflow bucket to hand out: inside the pool while below poolEnd. */
  nextOverflow: number;
  /** Buckets the typed arrays have room for. */
  private capacity: number;

  /**
   * `grown` arrays (made by a growth, not from a hint) get more room for fresh overflow buckets: a
   * grown table fills up to 6.5 entries per bucket, where about a fifth of the buckets overflow.
   */
  constructor(B: number, grown = false) {
    this.B = B;
    const main = 2 ** B;
    this.poolEnd = main + overflowPoolSize(B);
    this.nextOverflow = main;
    this.capacity = typedBucketsFor(B, grown);
    const storage = new BucketStorage(this.capacity);
    this.tophash = storage.tophash;
    this.entries = storage.entries;
    this.links = storage.links;
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
    this.links[tail] = bucket;
    return bucket;
  }

  /** Empties every slot and link and rebuilds the overflow pool, keeping the storage (Go's mapclear). */
  reset(): void {
    this.tophash.fill(EMPTY_REST);
    this.links.fill(NO_BUCKET);
    this.nextOverflow = 2 ** this.B;
  }

  private growStorage(): void {
    const capacity = this.capacity + Math.max(8, this.capacity >>> 3);
    const storage = new BucketStorage(capacity);
    storage.tophash.set(this.tophash);
    storage.entries.set(this.entries);
    storage.links.set(this.links);
    this.tophash = storage.tophash;
    this.entries = storage.entries;
    this.links = storage.links;
    this.capacity = capacity;
  }
}

/**
 * The three typed arrays of `capacity` buckets, as views of one zeroed `SharedArrayBuffer`.
 *
 * Why shared: V8 counts the memory of an `ArrayBuffer` as external memory. Once 64 MiB more of it
 * exists than after the last mark-compact, V8 starts a full collection ("external memory
 * pressure"), and once 32 MiB of young buffers exist, the next allocation runs a scavenge inside
 * the insert; an unsized map growing past 3,400,000 keys met both. A `SharedArrayBuffer` is not
 * counted as per-isolate external memory, so a growth allocates its table without either. The
 * memory is the same (lazily zeroed pages), still shows in `process.memoryUsage().arrayBuffers`,
 * and is freed once the map drops the array and a collection finds the views dead. One buffer
 * rather than three: one allocation per growth. Where `SharedArrayBuffer` does not exist (a browser
 * page that is not cross-origin isolated), an `ArrayBuffer` does the same job.
 */
class BucketStorage {
  readonly entries: Int32Array;
  readonly links: Int32Array;
  readonly tophash: Uint8Array;

  constructor(capacity: number) {
    const slots = capacity << BUCKET_SHIFT;
    // Int32 views first, so that they start on a multiple of 4.
    const buffer = new StorageBuffer((slots + capacity) * 4 + slots);
    this.entries = new Int32Array(buffer, 0, slots);
    this.links = new Int32Array(buffer, slots * 4, capacity);
    this.tophash = new Uint8Array(buffer, (slots + capacity) * 4, slots);
  }
}

const StorageBuffer: typeof ArrayBuffer =
  typeof SharedArrayBuffer === 'function' ? (SharedArrayBuffer as unknown as typeof ArrayBuffer) : ArrayBuffer;

/**
 * Buckets a new array's typed arrays have room for: the main buckets, the pool, and room for fresh
 * overflow buckets, so that the typed arrays are rarely copied into larger ones (a stall
 * proportional to the table). A table built from a hint gets as much room again as the pool
 * (2^B/16): it holds 3.25 to 6.5 entries per bucket only once its hint is exceeded. A grown table
 * gets three times that (2^B·3/16): at 6.5 entries per bucket about 21 % of the buckets overflow
 * (Poisson), more than the pool's 6.25 %.
 */
export function typedBucketsFor(B: number, grown = false): number {
  const main = 2 ** B;
  return main + overflowPoolSize(B) + (grown ? (main >>> 4) * 3 : main >>> 4);
}
