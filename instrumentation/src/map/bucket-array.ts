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
 * One bucket array in Go's layout, split into parallel arrays indexed by slot = bucket * 8 + i:
 * tophash bytes, and entries holding the key of slot j at 2j and its value at 2j + 1 (side by
 * side, so a lookup that found the key finds the value in the same cache line); plus one
 * overflow link per bucket. Buckets 0 .. 2^B-1 are the
 * main buckets; the overflow pool of 2^(B-4) buckets follows them, and fresh overflow buckets are
 * appended after the pool when it runs out (the arrays grow then).
 */
export class BucketArray<K, V> {
  readonly B: number;
  tophash: Uint8Array;
  links: Int32Array;
  /** Key of slot j at 2j, value at 2j + 1. */
  readonly entries: (K | V | undefined)[];
  /** The first bucket after the preallocated pool. */
  readonly poolEnd: number;
  /** The next overflow bucket to hand out: inside the pool while below poolEnd. */
  nextOverflow: number;
  /** Buckets the typed arrays have room for. */
  private capacity: number;

  constructor(B: number) {
    this.B = B;
    const main = 2 ** B;
    this.poolEnd = main + overflowPoolSize(B);
    this.nextOverflow = main;
    this.capacity = this.poolEnd;
    const slots = this.poolEnd << BUCKET_SHIFT;
    this.tophash = new Uint8Array(slots);
    this.links = new Int32Array(this.poolEnd);
    this.entries = new Array<K | V | undefined>(slots * 2);
  }

  /** Overflow buckets handed out so far (pool and fresh). */
  get overflowInUse(): number {
    return this.nextOverflow - 2 ** this.B;
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

  /** Empties every slot and link and rebuilds the overflow pool, keeping the arrays (Go's mapclear). */
  reset(): void {
    this.tophash.fill(EMPTY_REST);
    this.links.fill(NO_BUCKET);
    this.entries.fill(undefined);
    this.nextOverflow = 2 ** this.B;
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
