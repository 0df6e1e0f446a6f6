import type { BucketArray } from './bucket-array.js';
import type { PresizedMap } from './presized-map.js';

/** What an iterator yields: keys, values, or [key, value] entries. */
export type IterationKind = 0 | 1 | 2;
export const ITERATE_KEYS = 0;
export const ITERATE_VALUES = 1;
export const ITERATE_ENTRIES = 2;

/**
 * The walk state of one iteration over a presized map, Go's `hiter`: the bucket array and B seen
 * when the iteration started, the random start bucket and in-bucket offset, and the position
 * reached. The walk itself is the map's (it needs the map's growth state); this object only holds
 * where it is and what it found last.
 */
export class PresizedMapIterator<K extends string | number, V, T> implements MapIterator<T> {
  /** The bucket array current when the iteration started (Go's `it.buckets`). */
  readonly buckets: BucketArray<K, V> | null;
  readonly B: number;
  readonly startBucket: number;
  readonly offset: number;
  /** The next main bucket index to load. */
  bucket: number;
  wrapped = false;
  /** The bucket array of the bucket being walked, or null between buckets. */
  current: BucketArray<K, V> | null = null;
  /** The bucket being walked (a main or overflow bucket of `current`). */
  chainBucket = 0;
  /** The next slot step (0..8) in `chainBucket`. */
  step = 0;
  /** During a doubling, the new bucket whose entries are picked out of an old bucket; -1 otherwise. */
  checkBucket = -1;
  done: boolean;
  key: K | undefined = undefined;
  value: V | undefined = undefined;

  constructor(
    private readonly map: PresizedMap<K, V>,
    private readonly kind: IterationKind,
    buckets: BucketArray<K, V> | null,
    random: number,
  ) {
    this.buckets = buckets;
    this.B = buckets === null ? 0 : buckets.B;
    this.startBucket = random & (2 ** this.B - 1);
    this.offset = (random >>> this.B) & 7;
    this.bucket = this.startBucket;
    this.done = buckets === null;
  }

  next(): IteratorResult<T, undefined> {
    // The walk is the map's own code: it reads the map's growth state at every bucket.
    if (!this.done && this.map['advanceIterator'](this)) {
      const kind = this.kind;
      const value = kind === ITERATE_KEYS ? this.key : kind === ITERATE_VALUES ? this.value : [this.key, this.value];
      return { value: value as T, done: false };
    }
    this.done = true;
    this.key = undefined;
    this.value = undefined;
    return { value: undefined, done: true };
  }

  [Symbol.iterator](): this {
    return this;
  }

  get [Symbol.toStringTag](): string {
    return 'PresizedMap Iterator';
  }
}

// Inherit from %IteratorPrototype%, as native map iterators do, so that the iterator helpers of the
// running Node.js (map, filter, take, toArray, ...) work on these iterators too.
Object.setPrototypeOf(
  PresizedMapIterator.prototype,
  Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())) as object,
);
