import { describeValue } from './describe-value.js';
import { inheritIteratorHelpers } from './iterator.js';
import { keepShapes } from './shape-keeper.js';

/**
 * The largest capacity a bounded list accepts: 16,777,216 (2^24) slots, 128 MiB allocated up front
 * (8 bytes a slot). A list keeps the last values of something; larger arrays would also leave
 * V8's fast elements (from about 2^25 elements an array is a dictionary, and at 1e9 the process
 * aborts with an uncatchable "invalid table size").
 */
export const MAX_BOUNDED_CAPACITY = 2 ** 24;

function checkCapacity(capacity: unknown): void {
  if (typeof capacity !== 'number' || !Number.isInteger(capacity) || capacity < 1 || capacity > MAX_BOUNDED_CAPACITY) {
    const message = `BoundedList: capacity must be an integer from 1 to ${MAX_BOUNDED_CAPACITY}, got ${describeValue(capacity)}`;
    throw typeof capacity === 'number' ? new RangeError(message) : new TypeError(message);
  }
}

/**
 * The last `capacity` values pushed, oldest first: a ring buffer over one array allocated up front,
 * so a push once the list is full overwrites the oldest value in place and allocates nothing.
 *
 * This is the "last N log lines per device" of a cache: where `logs = [...logs, line].slice(-10)`
 * allocates two arrays per write, `list.push(line)` allocates none.
 */
export class BoundedList<T> implements Iterable<T> {
  readonly capacity: number;
  private readonly slots: (T | undefined)[];
  /** Slot the next push writes. */
  private next = 0;
  private count = 0;
  /**
   * Pushes since creation. Value number `s` (0-based) sits in slot `s mod capacity` and is still
   * held while `s >= pushed - count`; iterators walk these numbers so they survive concurrent pushes.
   */
  private pushed = 0;

  constructor(capacity: number) {
    checkCapacity(capacity);
    this.capacity = capacity;
    // Filled rather than holey, so V8 keeps the backing store in its fast packed form.
    this.slots = new Array<T | undefined>(capacity).fill(undefined);
  }

  /** Values held, at most `capacity`. */
  get length(): number {
    return this.count;
  }

  /** True once pushes overwrite the oldest value. */
  get full(): boolean {
    return this.count === this.capacity;
  }

  /** Appends `value`, dropping the oldest value when full. Returns the new length, like `Array#push`. */
  push(value: T): number {
    this.slots[this.next] = value;
    this.next = this.next + 1 === this.capacity ? 0 : this.next + 1;
    this.pushed++;
    if (this.count < this.capacity) this.count++;
    return this.count;
  }

  /**
   * The value at `index` counted from the oldest (0) or, when negative, back from the newest (-1),
   * like `Array#at`; `undefined` when out of range.
   */
  at(index: number): T | undefined {
    const i = Math.trunc(index) || 0;
    const from = i < 0 ? i + this.count : i;
    if (!(from >= 0 && from < this.count)) return undefined;
    return this.slots[this.slotOf(this.pushed - this.count + from)];
  }

  /** Drops every value (and the references to them) without giving up the allocated array. */
  clear(): void {
    this.slots.fill(undefined);
    this.count = 0;
  }

  /** A new array of the values, oldest to newest. */
  toArray(): T[] {
    const out = new Array<T>(this.count);
    let slot = this.slotOf(this.pushed - this.count);
    for (let i = 0; i < this.count; i++) {
      out[i] = this.slots[slot] as T;
      slot = slot + 1 === this.capacity ? 0 : slot + 1;
    }
    return out;
  }

  /**
   * The values oldest to newest. Like an array's iterator it sees values pushed while it runs; a
   * value overwritten before the iterator reaches it is skipped, none is yielded twice.
   */
  [Symbol.iterator](): IterableIterator<T> {
    return new BoundedListIterator<T>(this, BoundedList.advanceIterator, this.pushed - this.count);
  }

  /** Moves `it` to the next value still held and stores it in `it.value`; false at the end. */
  private static advanceIterator<T>(list: BoundedList<T>, it: BoundedListIterator<T>): boolean {
    const oldest = list.pushed - list.count;
    if (it.seq < oldest) it.seq = oldest;
    if (it.seq >= list.pushed) return false;
    it.value = list.slots[list.slotOf(it.seq)] as T;
    it.seq++;
    return true;
  }

  get [Symbol.toStringTag](): string {
    return 'BoundedList';
  }

  private slotOf(seq: number): number {
    return seq % this.capacity;
  }
}

/**
 * An iteration over a bounded list: a class rather than a generator, so that a loop compiled with
 * `next()` inlined keeps the result objects in registers (a generator allocates one per value, and
 * itself per iteration), as for the maps' iterators.
 */
class BoundedListIterator<T> implements IterableIterator<T> {
  /** The push number (see BoundedList's `pushed`) of the next value to yield. */
  seq: number;
  value: T | undefined = undefined;
  private done = false;
  readonly #list: BoundedList<T>;
  readonly #advance: (list: BoundedList<T>, it: BoundedListIterator<T>) => boolean;

  constructor(
    list: BoundedList<T>,
    advance: (list: BoundedList<T>, it: BoundedListIterator<T>) => boolean,
    seq: number,
  ) {
    this.#list = list;
    this.#advance = advance;
    this.seq = seq;
  }

  // One result object made in one place, as in the maps' iterators.
  next(): IteratorResult<T, undefined> {
    let value: T | undefined = undefined;
    let done = true;
    if (!this.done && this.#advance(this.#list, this)) {
      value = this.value;
      this.value = undefined;
      done = false;
    } else {
      this.done = true;
    }
    return { value, done } as IteratorResult<T, undefined>;
  }

  /** Inherited from %IteratorPrototype% (see inheritIteratorHelpers): returns the iterator itself. */
  declare [Symbol.iterator]: () => this;

  get [Symbol.toStringTag](): string {
    return 'BoundedList Iterator';
  }
}

inheritIteratorHelpers(BoundedListIterator.prototype);

/** The part of the `Map` interface {@link appendBounded} needs; `Map`, `PresizedMap` and `ShardedMap` have it. */
export interface MapOfLists<K, T> {
  get(key: K): BoundedList<T> | undefined;
  set(key: K, value: BoundedList<T>): unknown;
}

/**
 * Appends `value` to the bounded list stored under `key`, creating a list of `capacity` when the key
 * has none, and returns that list. An existing list keeps the capacity it was created with.
 */
export function appendBounded<K, T>(map: MapOfLists<K, T>, key: K, value: T, capacity: number): BoundedList<T> {
  let list = map.get(key);
  if (list === undefined) {
    list = new BoundedList<T>(capacity);
    map.set(key, list);
  } else {
    checkCapacity(capacity);
  }
  list.push(value);
  return list;
}

keepShapes(() => {
  const list = new BoundedList<null>(1);
  list.push(null);
  return [list, list[Symbol.iterator]()];
});
