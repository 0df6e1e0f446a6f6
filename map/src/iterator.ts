import type { BucketArray } from './bucket-array.js';

/** What an iterator yields: keys, values, or [key, value] entries. */
export type IterationKind = 0 | 1 | 2;
export const ITERATE_KEYS = 0;
export const ITERATE_VALUES = 1;
export const ITERATE_ENTRIES = 2;

/**
 * Finds the next entry for `it` in `source` and stores it in `it.key` and `it.value`; false at
 * the end. The map supplies it: the walk reads the map's growth state at every bucket.
 */
export type Advance<S, K, V, T> = (source: S, it: PresizedMapIterator<S, K, V, T>) => boolean;

/**
 * The walk state of one iteration over a presized map, Go's `hiter`: the bucket array and B seen
 * when the iteration started, the random start bucket and in-bucket offset, and the position
 * reached. `S` is the map, opaque here so that this module does not depend on the map's.
 *
 * The map and the walk function are held in private fields: a property of the iterator named like
 * an iterator helper (`map`, `filter`, `take`...) would hide that helper.
 */
export class PresizedMapIterator<S, K, V, T> implements MapIterator<T> {
  /** The bucket array current when the iteration started (Go's `it.buckets`). */
  readonly buckets: BucketArray | null;
  readonly B: number;
  readonly startBucket: number;
  readonly offset: number;
  /** The next main bucket index to load. */
  bucket: number;
  wrapped = false;
  /** The bucket array of the bucket being walked, or null between buckets. */
  current: BucketArray | null = null;
  /** The main bucket index (at `B`) whose entries the walk is yielding now. */
  walkBucket = 0;
  /** The bucket being walked (a main or overflow bucket of `current`). */
  chainBucket = 0;
  /** The next slot step (0..8) in `chainBucket`. */
  step = 0;
  /** During a doubling, the new bucket whose entries are picked out of an old bucket; -1 otherwise. */
  checkBucket = -1;
  done: boolean;
  key: K | undefined = undefined;
  value: V | undefined = undefined;
  readonly #source: S;
  readonly #advance: Advance<S, K, V, T>;
  readonly #kind: IterationKind;

  constructor(
    source: S,
    advance: Advance<S, K, V, T>,
    kind: IterationKind,
    buckets: BucketArray | null,
    random: number,
  ) {
    this.#source = source;
    this.#advance = advance;
    this.#kind = kind;
    this.buckets = buckets;
    this.B = buckets === null ? 0 : buckets.B;
    this.startBucket = random & (2 ** this.B - 1);
    this.offset = (random >>> this.B) & 7;
    this.bucket = this.startBucket;
    this.done = buckets === null;
  }

  // One result object, made in one place: a loop compiled with this method inlined then keeps it
  // in registers (escape analysis), where a result made on each of two paths was allocated for
  // every entry, 40 bytes a key.
  next(): IteratorResult<T, undefined> {
    let value: unknown = undefined;
    let done = true;
    if (!this.done && this.#advance(this.#source, this)) {
      const kind = this.#kind;
      value = kind === ITERATE_KEYS ? this.key : kind === ITERATE_VALUES ? this.value : [this.key, this.value];
      done = false;
    } else {
      this.done = true;
      this.key = undefined;
      this.value = undefined;
    }
    return { value, done } as IteratorResult<T, undefined>;
  }

  /** Inherited from %IteratorPrototype% (see inheritIteratorHelpers): returns the iterator itself. */
  declare [Symbol.iterator]: () => this;

  get [Symbol.toStringTag](): string {
    return 'PresizedMap Iterator';
  }
}

/**
 * Makes the instances of a class of iterators inherit from %IteratorPrototype%, as native map and
 * array iterators do, so that the iterator helpers of the running Node.js (map, filter, take,
 * toArray, ...) work on them too.
 */
export function inheritIteratorHelpers(prototype: object): void {
  Object.setPrototypeOf(prototype, Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())) as object);
}

inheritIteratorHelpers(PresizedMapIterator.prototype);
