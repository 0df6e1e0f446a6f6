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

/** Slots per chunk of the key/value storage: 8,192 (1,024 buckets), as a shift. */
export const CHUNK_SLOT_SHIFT = 13;
/** Mask of a slot's position inside its chunk. */
export const CHUNK_SLOT_MASK = (1 << CHUNK_SLOT_SHIFT) - 1;

/** Keys and values of up to 8,192 slots: the key of a slot at 2i, its value at 2i + 1. */
export type Chunk<K, V> = (K | V | undefined)[];

/** The key in `slot`; the slot's chunk must exist (it does for every slot with a live tophash). */
export function keyAt<K, V>(chunks: readonly (Chunk<K, V> | undefined)[], slot: number): K {
  return chunks[slot >>> CHUNK_SLOT_SHIFT]![(slot & CHUNK_SLOT_MASK) << 1] as K;
}

/** The value in `slot`; the slot's chunk must exist. */
export function valueAt<K, V>(chunks: readonly (Chunk<K, V> | undefined)[], slot: number): V {
  return chunks[slot >>> CHUNK_SLOT_SHIFT]![((slot & CHUNK_SLOT_MASK) << 1) + 1] as V;
}

/**
 * One bucket array in Go's layout, split into parallel arrays indexed by slot = bucket * 8 + i:
 * a tophash byte per slot (`Uint8Array`) and an overflow link per bucket (`Int32Array`), and the
 * keys and values in chunks of 8,192 slots, each key beside its value so that a lookup that found
 * the key finds the value in the same cache line.
 *
 * Why chunks: a JavaScript array must be filled with holes when it is created (about 5 ns an
 * element), so one array for 2^20 buckets would stall the insert that starts a growth for tens of
 * milliseconds, and an array of more than 2^25 elements is created in slow dictionary mode. In a
 * growth's array a chunk is created when its first slot is written (by an insert or by
 * evacuation), so the cost of the new array is spread over the writes, as Go's zeroed memory from
 * the OS is. The typed arrays cost
 * nothing to create (zero pages).
 *
 * Buckets 0 .. 2^B-1 are the main buckets; the overflow pool of 2^(B-4) buckets follows them, and
 * fresh overflow buckets are appended after the pool when it runs out.
 */
export class BucketArray<K, V> {
  readonly B: number;
  tophash: Uint8Array;
  links: Int32Array;
  /** Chunk i holds slots i * 8192 .. i * 8192 + 8191; undefined until first written. */
  readonly chunks: (Chunk<K, V> | undefined)[];
  /** The first bucket after the preallocated pool. */
  readonly poolEnd: number;
  /** The next overflow bucket to hand out: inside the pool while below poolEnd. */
  nextOverflow: number;
  /** Buckets the typed arrays have room for. */
  private capacity: number;
  /** Elements of a new chunk: a whole chunk, or the whole array when it is smaller. */
  private readonly chunkLength: number;

  /**
   * `eager` creates every chunk now: a map sized by its hint pays for its storage when it is built
   * (Go's makemap), a growth pays for it write by write.
   */
  constructor(B: number, eager = false) {
    this.B = B;
    const main = 2 ** B;
    this.poolEnd = main + overflowPoolSize(B);
    this.nextOverflow = main;
    // Room for as many fresh overflow buckets again as the pool holds, so that the typed arrays
    // are rarely copied into larger ones (a stall proportional to the table). Their key/value
    // chunks are created only if those buckets are used.
    this.capacity = this.poolEnd + (main >>> 4);
    const slots = this.capacity << BUCKET_SHIFT;
    this.tophash = new Uint8Array(slots);
    this.links = new Int32Array(this.capacity);
    this.chunkLength = Math.min(slots, CHUNK_SLOT_MASK + 1) * 2;
    this.chunks = new Array<Chunk<K, V> | undefined>(Math.ceil(slots / (CHUNK_SLOT_MASK + 1)));
    if (eager) {
      const used = Math.ceil((this.poolEnd << BUCKET_SHIFT) / (CHUNK_SLOT_MASK + 1));
      for (let i = 0; i < used; i++) this.createChunk(i);
    }
  }

  /** Overflow buckets handed out so far (pool and fresh). */
  get overflowInUse(): number {
    return this.nextOverflow - 2 ** this.B;
  }

  /** The chunk that holds `slot`, created on first use. */
  chunkFor(slot: number): Chunk<K, V> {
    const index = slot >>> CHUNK_SLOT_SHIFT;
    const chunk = this.chunks[index];
    return chunk === undefined ? this.createChunk(index) : chunk;
  }

  /**
   * Hands out the next overflow bucket and links it after `tail`. The typed arrays are replaced
   * when fresh buckets outgrow them, so callers must re-read `tophash` and `links` afterwards.
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
    for (const chunk of this.chunks) chunk?.fill(undefined);
    this.nextOverflow = 2 ** this.B;
  }

  private createChunk(index: number): Chunk<K, V> {
    const chunk = new Array<K | V | undefined>(this.chunkLength);
    // Give every chunk the same elements kind (any value, with holes) from the start, so that the
    // loads and stores of the map stay monomorphic instead of meeting chunks of several kinds.
    chunk[0] = undefined;
    this.chunks[index] = chunk;
    return chunk;
  }

  private growStorage(): void {
    const capacity = this.capacity + Math.max(8, this.capacity >>> 3);
    const tophash = new Uint8Array(capacity << BUCKET_SHIFT);
    tophash.set(this.tophash);
    const links = new Int32Array(capacity);
    links.set(this.links);
    this.tophash = tophash;
    this.links = links;
    this.capacity = capacity;
  }
}
