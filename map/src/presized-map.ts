import {
  BucketArray,
  EMPTY_ONE,
  EMPTY_REST,
  ENTRY_BITS,
  EVACUATED_EMPTY,
  EVACUATED_X,
  EVACUATED_Y,
  GROWN,
  MIN_TOP_HASH,
  NO_BUCKET,
  ROW_BYTES,
  ROW_ENTRY,
  ROW_LINK,
  ROW_WORDS,
  afterSplit,
  entryAt,
  linkAt,
  slotWord,
  splitField,
  topAt,
} from './bucket-array.js';
import { ENTRY_CHUNK_MASK, ENTRY_CHUNK_SHIFT, EntryStore, keyOf, valueOf, type EntryChunk } from './entry-store.js';
import { checkOptions, describeValue } from './describe-value.js';
import { MapEventPublisher, nextMapId, type GrowthKind, type GrowthTrigger, type ObservedMap } from './events.js';
import { hashHigh, hashKey, keyTypeError, topHash } from './hash.js';
import { checkHeapRoom } from './heap-room.js';
import { ITERATE_ENTRIES, ITERATE_KEYS, ITERATE_VALUES, PresizedMapIterator, type IterationKind } from './iterator.js';
import { fromUnitRandom, secureRandom32, splitmix32, type Random32 } from './random.js';
import { announcesMaps, keepShapes } from './shape-keeper.js';
import { capacityOf, MAX_ENTRIES, overflowLimit, tooManyEntries, validateHint } from './sizing.js';
import type { PresizedMapStats } from './stats.js';
import { int32Value, stringValue } from './typed-lookup.js';

export interface PresizedMapOptions {
  /** Entries the map should hold without growing (Go's `make(map[K]V, hint)`). Default 0. */
  hint?: number;
  /** Name carried by every diagnostics event. Default `presized-map-<id>`. */
  name?: string;
  /**
   * Seed of the map's random source (hash keys, iteration start, overflow-counter coin), an
   * integer from 0 to 2^32-1. Maps built with the same seed and fed the same operations behave
   * identically, in every process: their hash keys follow from the seed, so whoever knows it can
   * build colliding keys. For tests and reproducible runs, not for maps fed by clients.
   * Default: hash keys and coins from the platform's cryptographic generator.
   */
  seed?: number;
  /** A random source returning floats in [0, 1), like `Math.random`; overrides `seed`. */
  random?: () => number;
}

const OPTION_NAMES: readonly (keyof PresizedMapOptions)[] = ['hint', 'name', 'seed', 'random'];
// Until its first insert a map of B = 0 has no bucket array; lookups meanwhile search this one
// empty row (never written), so that they need no test of their own for it.
const NO_ROWS = new Int32Array(ROW_WORDS);
const NO_SLOTS = new Uint8Array(NO_ROWS.buffer);

/** A delete in an empty map hashes nothing, so it checks the key's type itself: a bad key fails alike in every state. */
function checkKeyType(key: unknown): void {
  if (typeof key !== 'string' && typeof key !== 'number') throw keyTypeError('PresizedMap', key);
}

function isEvacuated(top: number): boolean {
  return top > EMPTY_ONE && top < MIN_TOP_HASH;
}

/**
 * The slot holding `key` in the chain that starts at `bucket`, or -1. A scan ends at the first
 * EMPTY_REST slot: nothing lives after it in the chain.
 */
function findInChain<K>(
  tophash: Uint8Array,
  rows: Int32Array,
  chunks: readonly EntryChunk[],
  bucket: number,
  key: K,
  top: number,
): number {
  // SameValueZero: NaN finds NaN, as in Map. Tested once here, so that a slot whose tophash
  // matches another key's compares nothing more (a comparison first made after V8 optimised the
  // search, at the first such slot, would throw the optimised code away: see the README, "A
  // growth's paths run once when the package loads").
  const nan = key !== key;
  let b = bucket;
  do {
    const tops = b * ROW_BYTES;
    const entries = b * ROW_WORDS + ROW_ENTRY;
    for (let i = 0; i < 8; i++) {
      const t = tophash[tops + i];
      if (t === top) {
        const k = keyOf<K>(chunks, rows[entries + i]! & ENTRY_BITS);
        if (k === key || (nan && k !== k)) return (b << 3) + i;
      } else if (t === EMPTY_REST) {
        return -1;
      }
    }
    b = rows[b * ROW_WORDS + ROW_LINK]!;
  } while (b !== NO_BUCKET);
  return -1;
}

/**
 * A `Map` that can be sized for its key count up front and, when it must grow, grows the way the
 * classic Go runtime map does: 8-slot buckets with tophash bytes, overflow chains, load factor
 * 6.5, and incremental evacuation of at most two old buckets per write, so no single operation
 * pays for a whole rehash. Growth and evacuation are published on `node:diagnostics_channel`.
 */
export class PresizedMap<K extends string | number, V> implements Map<K, V>, ObservedMap {
  readonly id: number;
  readonly name: string;
  /** The capacity hint the map was created with. */
  readonly hint: number;

  // Hot state, read by every get and set. `tophash` and `rows` mirror the typed arrays of
  // `buckets`, and `chunks` those of `store`, so that a lookup loads them straight from the map.
  private count = 0;
  private mask = 0;
  /** The 64-bit key of the hash, as two int32 halves; drawn anew whenever the map empties. */
  private hashSeed = 0;
  private hashSeedHigh = 0;
  private tophash: Uint8Array = NO_SLOTS;
  private rows: Int32Array = NO_ROWS;
  private readonly chunks: EntryChunk[];
  private old: BucketArray | null = null;
  /** The keys and values, shared by every bucket array the map has had. */
  private readonly store: EntryStore;

  private B: number;
  private buckets: BucketArray | null = null;
  /** count at which the next new key starts a doubling: overLoadFactor(count + 1, B). */
  private growAt: number;
  private overflowMax: number;
  private noverflow = 0;
  private readonly random: Random32;
  private readonly events = new MapEventPublisher(this);

  // Growth in progress.
  private sameSize = false;
  private oldBucketCount = 0;
  private nevacuate = 0;
  private growthTrigger: GrowthTrigger = 'load_factor';
  private growthOldB = 0;
  private growthOperations = 0;
  private growthEvacuationNs = 0;
  private growthStart = -1n;
  /** Old buckets and entries evacuated by the current write. */
  private stepBuckets = 0;
  private stepEntries = 0;

  private growths = 0;
  private sameSizeGrowths = 0;

  constructor(options: PresizedMapOptions = {}) {
    checkOptions('PresizedMap', options, OPTION_NAMES);
    const hint = options.hint === undefined ? 0 : options.hint;
    const B = validateHint(hint);
    checkHeapRoom('PresizedMap', hint, B);
    this.hint = hint;
    if (options.name !== undefined && typeof options.name !== 'string') {
      throw new TypeError(`PresizedMap: name must be a string, got ${typeof options.name}`);
    }
    if (options.random !== undefined) {
      if (typeof options.random !== 'function') {
        throw new TypeError(`PresizedMap: random must be a function, got ${typeof options.random}`);
      }
      this.random = fromUnitRandom(options.random);
    } else if (options.seed !== undefined) {
      const seed = options.seed;
      if (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff) {
        throw new RangeError(`PresizedMap: seed must be an integer from 0 to 4294967295, got ${describeValue(seed)}`);
      }
      this.random = splitmix32(seed);
    } else {
      this.random = secureRandom32;
    }
    const announced = announcesMaps();
    this.id = announced ? nextMapId() : 0;
    this.name = options.name ?? `presized-map-${this.id}`;
    this.reseed();
    this.B = B;
    this.growAt = capacityOf(B);
    this.overflowMax = overflowLimit(B);
    // Like Go's makemap: the whole table now, but no bucket array for B = 0 until the first insert.
    this.store = new EntryStore(hint);
    this.chunks = this.store.chunks;
    if (B > 0) this.install(new BucketArray(B, hint));
    if (announced) this.events.create(this.hint, B);
  }

  get size(): number {
    return this.count;
  }

  get [Symbol.toStringTag](): string {
    return 'PresizedMap';
  }

  /**
   * Go's mapaccess. Int32 numbers and strings, the keys of nearly every map, take a lookup of their
   * own (see typed-lookup.ts) that hashes and searches; other numbers, a map that is growing, and
   * keys of a wrong type (refused by `hashKey`) the general path.
   */
  get(key: K): V | undefined {
    if (this.old === null) {
      const { tophash, rows, chunks, mask, hashSeed, hashSeedHigh } = this;
      if (typeof key === 'string') {
        return stringValue(tophash, rows, chunks, mask, hashSeed, hashSeedHigh, key) as V | undefined;
      }
      if (typeof key === 'number' && (key | 0) === key) {
        return int32Value(tophash, rows, chunks, mask, hashSeed, hashSeedHigh, key | 0) as V | undefined;
      }
    }
    const entry = this.entryOf(key);
    return entry < 0 ? undefined : valueOf<V>(this.chunks, entry);
  }

  has(key: K): boolean {
    return this.entryOf(key) >= 0;
  }

  set(key: K, value: V): this {
    const lo = hashKey(key, this.hashSeed, this.hashSeedHigh);
    const top = topHash(hashHigh());
    // SameValueZero, as in findInChain.
    const nan = key !== key;
    if (this.buckets === null) this.install(new BucketArray(0, GROWN));
    for (;;) {
      const bucket = lo & this.mask;
      if (this.old !== null) this.growWork(bucket);
      const tophash = this.tophash;
      const rows = this.rows;
      const chunks = this.chunks;
      let insertAt = -1;
      let tail = bucket;
      let b = bucket;
      search: do {
        const tops = b * ROW_BYTES;
        const entries = b * ROW_WORDS + ROW_ENTRY;
        for (let i = 0; i < 8; i++) {
          const t = tophash[tops + i];
          if (t !== top) {
            if (t <= EMPTY_ONE) {
              if (insertAt < 0) insertAt = (b << 3) + i;
              if (t === EMPTY_REST) break search;
            }
            continue;
          }
          const entry = rows[entries + i]! & ENTRY_BITS;
          const chunk = chunks[entry >>> ENTRY_CHUNK_SHIFT]!;
          const at = (entry & ENTRY_CHUNK_MASK) << 1;
          const k = chunk[at];
          if (k === key || (nan && k !== k)) {
            chunk[at + 1] = value;
            return this;
          }
        }
        tail = b;
        b = rows[b * ROW_WORDS + ROW_LINK]!;
      } while (b !== NO_BUCKET);
      // A new key. Growth starts only here, and never while a growth is in progress.
      if (this.count >= MAX_ENTRIES) throw tooManyEntries(this.name);
      if (this.old === null && (this.count >= this.growAt || this.noverflow >= this.overflowMax)) {
        this.hashGrow();
        continue;
      }
      if (insertAt < 0) insertAt = this.newOverflow(tail) << 3;
      this.tophash[topAt(insertAt)] = top;
      // Map stores -0 as +0.
      this.rows[entryAt(insertAt)] = slotWord(this.store.add(key === 0 ? 0 : key, value), lo, this.B);
      this.count++;
      return this;
    }
  }

  delete(key: K): boolean {
    if (this.count === 0) {
      checkKeyType(key);
      return false;
    }
    const lo = hashKey(key, this.hashSeed, this.hashSeedHigh);
    const top = topHash(hashHigh());
    const bucket = lo & this.mask;
    if (this.old !== null) this.growWork(bucket);
    const slot = findInChain(this.tophash, this.rows, this.chunks, bucket, key, top);
    if (slot < 0) return false;
    this.store.remove(this.rows[entryAt(slot)]! & ENTRY_BITS);
    this.tophash[topAt(slot)] = EMPTY_ONE;
    this.restoreEmptyRest(bucket, slot);
    if (--this.count === 0) {
      // As in Go: a fresh seed whenever the map empties, against collision attacks.
      this.reseed();
    }
    return true;
  }

  clear(): void {
    this.events.clear(this.count, this.B);
    if (this.old !== null) {
      // Live iterators walking the old array see nothing more.
      this.old.reset();
      this.old = null;
    }
    if (this.buckets !== null) {
      this.buckets.reset();
      this.install(this.buckets);
    }
    this.store.reset();
    this.count = 0;
    this.noverflow = 0;
    this.nevacuate = 0;
    this.oldBucketCount = 0;
    this.sameSize = false;
    this.reseed();
  }

  forEach(callback: (value: V, key: K, map: Map<K, V>) => void, thisArg?: unknown): void {
    const it = this.iterator<[K, V]>(ITERATE_ENTRIES);
    while (!it.done && PresizedMap.advanceIterator(this, it)) callback.call(thisArg, it.value as V, it.key as K, this);
  }

  keys(): MapIterator<K> {
    return this.iterator<K>(ITERATE_KEYS);
  }

  values(): MapIterator<V> {
    return this.iterator<V>(ITERATE_VALUES);
  }

  entries(): MapIterator<[K, V]> {
    return this.iterator<[K, V]>(ITERATE_ENTRIES);
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.iterator<[K, V]>(ITERATE_ENTRIES);
  }

  stats(): PresizedMapStats {
    const buckets = 2 ** this.B;
    const growing = this.old !== null;
    return {
      size: this.count,
      B: this.B,
      buckets,
      overflowBuckets: this.buckets === null ? 0 : this.buckets.overflowInUse,
      noverflow: this.noverflow,
      growing,
      oldBuckets: growing ? this.oldBucketCount : 0,
      evacuated: growing ? this.nevacuate : 0,
      growths: this.growths,
      sameSizeGrowths: this.sameSizeGrowths,
      hint: this.hint,
      loadFactor: this.count / buckets,
      nextGrowthAt: capacityOf(this.B),
      bucketCapacity: this.buckets === null ? 0 : this.buckets.capacity,
      entryCapacity: this.store.capacity,
    };
  }

  private reseed(): void {
    this.hashSeed = this.random();
    this.hashSeedHigh = this.random();
  }

  /** Makes `buckets` the current array and mirrors its storage into the hot fields. */
  private install(buckets: BucketArray): void {
    this.buckets = buckets;
    this.B = buckets.B;
    // A shift, not 2 ** B: the field then holds a small integer, which a lookup masks with
    // directly, rather than a boxed double it must load and convert first.
    this.mask = (1 << buckets.B) - 1;
    this.tophash = buckets.tophash;
    this.rows = buckets.rows;
    this.growAt = capacityOf(buckets.B);
    this.overflowMax = overflowLimit(buckets.B);
  }

  /** The entry holding `key`, or -1 (Go's mapaccess). */
  private entryOf(key: K): number {
    const lo = hashKey(key, this.hashSeed, this.hashSeedHigh);
    return this.entryOfHashed(key, lo, topHash(hashHigh()));
  }

  /**
   * The entry holding `key`, whose hash has low half `lo` and tophash `top`, or -1. While a growth
   * is in progress, the old array is searched for a bucket not yet evacuated.
   */
  private entryOfHashed(key: K, lo: number, top: number): number {
    if (this.old !== null) {
      const old = this.old;
      const oldBucket = lo & (this.oldBucketCount - 1);
      if (!isEvacuated(old.tophash[oldBucket * ROW_BYTES]!)) {
        const slot = findInChain(old.tophash, old.rows, this.chunks, oldBucket, key, top);
        return slot < 0 ? -1 : old.rows[entryAt(slot)]! & ENTRY_BITS;
      }
    }
    const rows = this.rows;
    const slot = findInChain(this.tophash, rows, this.chunks, lo & this.mask, key, top);
    return slot < 0 ? -1 : rows[entryAt(slot)]! & ENTRY_BITS;
  }

  /**
   * After a delete left `slot` EMPTY_ONE: if nothing lives after it in the chain, turn it and the
   * EMPTY_ONE slots before it into EMPTY_REST, so that scans stop early again.
   */
  private restoreEmptyRest(head: number, slot: number): void {
    const tophash = this.tophash;
    const rows = this.rows;
    let b = slot >>> 3;
    let i = slot & 7;
    if (i === 7) {
      const next = rows[linkAt(b)]!;
      if (next !== NO_BUCKET && tophash[next * ROW_BYTES] !== EMPTY_REST) return;
    } else if (tophash[topAt(slot) + 1] !== EMPTY_REST) {
      return;
    }
    for (;;) {
      tophash[b * ROW_BYTES + i] = EMPTY_REST;
      if (i === 0) {
        if (b === head) return;
        const later = b;
        b = head;
        while (rows[linkAt(b)] !== later) b = rows[linkAt(b)]!;
        i = 7;
      } else {
        i--;
      }
      if (tophash[b * ROW_BYTES + i] !== EMPTY_ONE) return;
    }
  }

  /** Go's newoverflow: links a bucket from the pool (or a fresh one) after `tail` and counts it. */
  private newOverflow(tail: number): number {
    const buckets = this.buckets!;
    const fromPool = buckets.nextOverflow < buckets.poolEnd;
    const bucket = buckets.takeOverflow(tail);
    this.tophash = buckets.tophash;
    this.rows = buckets.rows;
    if (this.B < 16) {
      this.noverflow++;
    } else if ((this.random() & (2 ** (this.B - 15) - 1)) === 0) {
      // Above B = 15 the counter is probabilistic, so that 2^15 stands for about 2^B buckets.
      this.noverflow++;
    }
    this.events.overflow(fromPool, this.noverflow, this.B, this.old !== null);
    return bucket;
  }

  /** Go's hashGrow: allocates the new array and records the growth; copies nothing. */
  private hashGrow(): void {
    const doubling = this.count >= this.growAt;
    const oldB = this.B;
    const newB = doubling ? oldB + 1 : oldB;
    const timed = this.events.timesGrowth;
    const start = timed ? process.hrtime.bigint() : -1n;
    const fresh = new BucketArray(newB, GROWN);
    const allocationNs = timed ? Number(process.hrtime.bigint() - start) : 0;
    const overflowBefore = this.noverflow;
    this.old = this.buckets;
    this.oldBucketCount = 1 << oldB;
    this.install(fresh);
    this.nevacuate = 0;
    this.noverflow = 0;
    this.sameSize = !doubling;
    this.growthTrigger = doubling ? 'load_factor' : 'overflow';
    this.growthOldB = oldB;
    this.growthOperations = 0;
    this.growthEvacuationNs = 0;
    this.growthStart = start;
    if (doubling) this.growths++;
    else this.sameSizeGrowths++;
    this.events.growStart(this.growthKind(), this.growthTrigger, oldB, newB, this.count, overflowBefore, allocationNs);
  }

  private growthKind(): GrowthKind {
    return this.sameSize ? 'same_size' : 'double';
  }

  /** Go's growWork: evacuates the old bucket feeding `bucket`, then the oldest one not yet evacuated. */
  private growWork(bucket: number): void {
    const timed = this.events.timesEvacuation;
    // undefined, not -1n, when untimed: compiled, a -1n here became a new heap object on every call,
    // one per evacuating write (18 MB of young garbage in 4,000,000 unsized inserts).
    const start = timed ? process.hrtime.bigint() : undefined;
    const kind = this.growthKind();
    this.stepBuckets = 0;
    this.stepEntries = 0;
    this.evacuate(bucket & (this.oldBucketCount - 1));
    if (this.old !== null) this.evacuate(this.nevacuate);
    if (this.stepBuckets > 0) {
      this.growthOperations++;
      if (timed) {
        const ns = Number(process.hrtime.bigint() - start!);
        this.growthEvacuationNs += ns;
        this.events.evacuate(this.stepBuckets, this.stepEntries, this.nevacuate, this.oldBucketCount, ns);
      }
    }
    if (this.old === null) {
      this.events.growEnd(
        kind,
        this.growthTrigger,
        this.growthOldB,
        this.B,
        this.count,
        this.growthOperations,
        this.growthEvacuationNs,
        this.growthStart < 0n ? 0 : Number(process.hrtime.bigint() - this.growthStart),
      );
    }
  }

  /** Go's evacuate: moves every entry of an old bucket's chain to the new array, X or Y half. */
  private evacuate(oldBucket: number): void {
    const old = this.old!;
    const oldTophash = old.tophash;
    const newbit = this.oldBucketCount;
    if (!isEvacuated(oldTophash[oldBucket * ROW_BYTES]!)) {
      const oldRows = old.rows;
      const chunks = this.chunks;
      const doubling = !this.sameSize;
      const current = this.buckets!;
      let x = oldBucket;
      let xNext = x << 3;
      let xEnd = xNext + 8;
      let y = oldBucket + newbit;
      let yNext = y << 3;
      let yEnd = yNext + 8;
      let moved = 0;
      let b = oldBucket;
      do {
        const tops = b * ROW_BYTES;
        const entries = b * ROW_WORDS + ROW_ENTRY;
        for (let i = 0; i < 8; i++) {
          const j = tops + i;
          const t = oldTophash[j]!;
          if (t <= EMPTY_ONE) {
            oldTophash[j] = EVACUATED_EMPTY;
            continue;
          }
          if (t < MIN_TOP_HASH) throw new Error(`PresizedMap: bad map state in ${this.name}`);
          const word = oldRows[entries + i]!;
          // A same-size growth keeps B, so the word keeps its split bit.
          let newWord = word;
          let toY = false;
          if (doubling) {
            const split = splitField(word);
            if (split > 1) {
              // The split bit is known: the lowest behind the marker. Later doublings keep the rest.
              toY = (split & 1) !== 0;
              newWord = afterSplit(word, split);
            } else {
              const lo = hashKey(keyOf<K>(chunks, word), this.hashSeed, this.hashSeedHigh);
              toY = (lo & newbit) !== 0;
              newWord = slotWord(word, lo, this.B);
            }
          }
          let to: number;
          if (toY) {
            if (yNext === yEnd) {
              y = this.newOverflow(y);
              yNext = y << 3;
              yEnd = yNext + 8;
            }
            to = yNext++;
            oldTophash[j] = EVACUATED_Y;
          } else {
            if (xNext === xEnd) {
              x = this.newOverflow(x);
              xNext = x << 3;
              xEnd = xNext + 8;
            }
            to = xNext++;
            oldTophash[j] = EVACUATED_X;
          }
          // Only the tophash and the entry number move: the key and value stay where they are.
          current.tophash[topAt(to)] = t;
          current.rows[entryAt(to)] = newWord;
          moved++;
        }
        b = oldRows[b * ROW_WORDS + ROW_LINK]!;
      } while (b !== NO_BUCKET);
      this.stepBuckets++;
      this.stepEntries += moved;
    }
    if (oldBucket === this.nevacuate) this.advanceEvacuationMark(newbit);
  }

  /** Go's advanceEvacuationMark: moves nevacuate past evacuated buckets; ends the growth at newbit. */
  private advanceEvacuationMark(newbit: number): void {
    const oldTophash = this.old!.tophash;
    this.nevacuate++;
    const stop = Math.min(this.nevacuate + 1024, newbit);
    while (this.nevacuate !== stop && isEvacuated(oldTophash[this.nevacuate * ROW_BYTES]!)) this.nevacuate++;
    if (this.nevacuate === newbit) {
      this.old = null;
      this.sameSize = false;
    }
  }

  private iterator<T>(kind: IterationKind): PresizedMapIterator<PresizedMap<K, V>, K, V, T> {
    // Go's mapiterinit: an iteration of an empty map ends at once.
    const buckets = this.count === 0 ? null : this.buckets;
    return new PresizedMapIterator<PresizedMap<K, V>, K, V, T>(
      this,
      PresizedMap.advanceIterator,
      kind,
      buckets,
      buckets === null ? 0 : this.random(),
    );
  }

  /**
   * Go's mapiternext: finds the next entry of `map` for `it` and stores it there; false at the end.
   * While a growth is in progress and the iteration started at the current B, an old bucket not
   * yet evacuated is walked instead of its new bucket (keeping, for a doubling, only the entries
   * that belong to that new bucket). A slot already evacuated is looked up again in the map, so an
   * entry deleted or updated since is reported as it is now. Its entry may since have been freed
   * and taken by a new key: that key is kept only if it belongs to the bucket being walked, which
   * this iteration visits once, so no key is yielded twice.
   */
  private static advanceIterator<K extends string | number, V, T>(
    map: PresizedMap<K, V>,
    it: PresizedMapIterator<PresizedMap<K, V>, K, V, T>,
  ): boolean {
    let current = it.current;
    let b = it.chainBucket;
    let step = it.step;
    let checkBucket = it.checkBucket;
    const offset = it.offset;
    const chunks = map.chunks;
    for (;;) {
      if (current === null) {
        if (it.bucket === it.startBucket && it.wrapped) {
          it.current = null;
          return false;
        }
        const bucket = it.bucket;
        const old = map.old;
        checkBucket = -1;
        current = it.buckets!;
        b = bucket;
        if (old !== null && it.B === map.B) {
          const oldBucket = bucket & (map.oldBucketCount - 1);
          if (!isEvacuated(old.tophash[oldBucket * ROW_BYTES]!)) {
            current = old;
            b = oldBucket;
            if (!map.sameSize) checkBucket = bucket;
          }
        }
        it.walkBucket = bucket;
        it.bucket = bucket + 1;
        if (it.bucket === 2 ** it.B) {
          it.bucket = 0;
          it.wrapped = true;
        }
        step = 0;
      }
      for (; step < 8; step++) {
        const slot = (b << 3) + ((step + offset) & 7);
        const t = current.tophash[topAt(slot)]!;
        if (t <= EMPTY_ONE || t === EVACUATED_EMPTY) continue;
        const entry = current.rows[entryAt(slot)]! & ENTRY_BITS;
        const key = keyOf<K>(chunks, entry);
        if (t !== EVACUATED_X && t !== EVACUATED_Y) {
          if (checkBucket >= 0 && (hashKey(key, map.hashSeed, map.hashSeedHigh) & (2 ** it.B - 1)) !== checkBucket)
            continue;
          it.value = valueOf<V>(chunks, entry);
        } else {
          // The map has grown since this array was current: the entry now lives elsewhere, or not at all.
          if (key === undefined || map.count === 0) continue;
          const lo = hashKey(key, map.hashSeed, map.hashSeedHigh);
          const top = topHash(hashHigh());
          if ((lo & (2 ** it.B - 1)) !== it.walkBucket) continue;
          const now = map.entryOfHashed(key, lo, top);
          if (now < 0) continue;
          it.value = valueOf<V>(chunks, now);
        }
        it.key = key;
        it.current = current;
        it.chainBucket = b;
        it.step = step + 1;
        it.checkBucket = checkBucket;
        return true;
      }
      b = current.rows[linkAt(b)]!;
      step = 0;
      if (b === NO_BUCKET) current = null;
    }
  }
}

/** Keys that take an unsized map through five doublings, each finished by the writes after it. */
const GROWTH_PATH_KEYS = 120;
const GROWTH_PATH_SEED = 3;
/** First inserts into unsized maps, after the growth: enough for V8 to record what they run. */
const FIRST_INSERTS = 12;

keepShapes(() => {
  // Every map built here is seeded: a map without a seed draws its hash key from the platform's
  // cryptographic generator, whose Web Crypto module (some 4,000 objects) would then stay in the
  // heap of every process that loads the package, marked at each full collection, whether or not
  // it ever builds a map of its own. A hint above one bucket's load, so that the map builds its
  // bucket array at once.
  const map = new PresizedMap<string, null>({ hint: 9, seed: GROWTH_PATH_SEED });
  map.set('', null);
  // Every path of a growth run once, before V8 optimises the map's code: optimised code meets a
  // path that never ran with no type feedback for it, and throws itself away there. A map hinted
  // for thousands of keys takes its first rehash of a key whose split bits ran out at its fourth
  // doubling, long after its inserts were optimised: the whole of that doubling's evacuation then
  // ran in the interpreter (in the incident workload, hint 5,000, twice the slow writes of the
  // other doublings). A small map grown through five doublings, and read as it grows, runs them.
  // Seeded, so that it grows the same way in every process: with this seed two of its evacuations
  // also run out of room in a new bucket, one on each side of the split, and take an overflow
  // bucket, as a large map's evacuations do now and then.
  const grown = new PresizedMap<string, number>({ seed: GROWTH_PATH_SEED });
  for (let i = 0; i < GROWTH_PATH_KEYS; i++) {
    const key = String(i);
    grown.set(key, i);
    grown.get(key);
  }
  // Then every key deleted (the deletes' paths, overflow buckets emptied among them) and set again
  // (inserts that reuse freed entries).
  for (let i = 0; i < GROWTH_PATH_KEYS; i++) grown.delete(String(i));
  for (let i = 0; i < GROWTH_PATH_KEYS; i++) grown.set(String(i), i);
  // A function records type feedback only from its ninth call or so (V8 allocates it lazily), and
  // an unsized map creates its first entry chunk in its first insert only: more first inserts.
  for (let i = 0; i < FIRST_INSERTS; i++) new PresizedMap<string, number>({ seed: i }).set('', i);
  return [map, map.keys()];
});
