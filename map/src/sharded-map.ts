import { checkOptions, describeValue } from './describe-value.js';
import { hashHigh, hashNumber, hashString, keyTypeError } from './hash.js';
import { checkHeapRoom } from './heap-room.js';
import { inheritIteratorHelpers } from './iterator.js';
import { PresizedMap } from './presized-map.js';
import { nextInProcess } from './process-counter.js';
import { secureRandom32, splitmix32, type Random32 } from './random.js';
import { keepShapes } from './shape-keeper.js';
import { MAX_ENTRIES, bucketShiftForHint } from './sizing.js';
import type { PresizedMapStats } from './stats.js';

/** The most shards a sharded map accepts: the hash has 24 bits that neither index nor tophash use. */
export const MAX_SHARDS = 2 ** 16;
export const DEFAULT_SHARDS = 16;

export interface ShardedMapOptions {
  /** Entries the whole map should hold without growing; each shard is sized for hint / shards. */
  hint?: number;
  /** Number of shards, a power of two from 1 to 65,536. Default 16. */
  shards?: number;
  /** Name every shard's diagnostics events carry. Default `sharded-map-<n>`. */
  name?: string;
  /**
   * Seed of the hash keys and random sources (an integer from 0 to 2^32-1), for reproducible runs:
   * whoever knows it can build colliding keys. Default: keys from the platform's cryptographic generator.
   */
  seed?: number;
}

/** Merged state of all shards, with each shard's own snapshot. */
export interface ShardedMapStats extends PresizedMapStats {
  /** One snapshot per shard, in shard order. */
  shards: PresizedMapStats[];
}

const OPTION_NAMES: readonly (keyof ShardedMapOptions)[] = ['hint', 'shards', 'name', 'seed'];

function checkShards(shards: unknown): number {
  if (
    typeof shards !== 'number' ||
    !Number.isInteger(shards) ||
    shards < 1 ||
    shards > MAX_SHARDS ||
    (shards & (shards - 1)) !== 0
  ) {
    throw new RangeError(
      `ShardedMap: shards must be a power of two from 1 to ${MAX_SHARDS}, got ${describeValue(shards)}`,
    );
  }
  return shards;
}

function checkHint(hint: unknown, shards: number): number {
  if (typeof hint !== 'number' || !Number.isSafeInteger(hint) || hint < 0) {
    throw new RangeError(`ShardedMap: hint must be a whole number from 0 up, got ${describeValue(hint)}`);
  }
  const perShard = Math.ceil(hint / shards);
  if (perShard > MAX_ENTRIES) {
    throw new RangeError(
      `ShardedMap: hint ${hint} over ${shards} shards is ${perShard} per shard, more than one shard ` +
        `holds (${MAX_ENTRIES}); use more shards`,
    );
  }
  return perShard;
}

/**
 * A `Map` split over 2^k presized maps. A key's shard comes from bits 0..k-1 of the high half of
 * its hash, bits that a shard uses neither for its bucket index (low half) nor its tophash (top
 * byte of the high half): every shard gets evenly spread buckets and tophashes. The picker's hash
 * key is the map's own, drawn like a shard's (a seeded map's shards share its seed, so they hash a
 * key as the picker does until a shard reseeds, whenever it empties, as Go maps do).
 *
 * Each shard grows on its own, so a growth moves 1/2^k of the keys, and its events carry the
 * sharded map's name.
 */
export class ShardedMap<K extends string | number, V> implements Map<K, V> {
  readonly name: string;
  readonly hint: number;
  private readonly shardMaps: PresizedMap<K, V>[];
  private readonly shardMask: number;
  private readonly random: Random32;
  /** The picker's 64-bit hash key, as two int32 halves. */
  private seed: number;
  private seedHigh: number;
  private count = 0;

  constructor(options: ShardedMapOptions = {}) {
    checkOptions('ShardedMap', options, OPTION_NAMES);
    const shards = checkShards(options.shards ?? DEFAULT_SHARDS);
    const perShard = checkHint(options.hint ?? 0, shards);
    checkHeapRoom('ShardedMap', options.hint ?? 0, bucketShiftForHint(perShard), shards);
    if (options.name !== undefined && typeof options.name !== 'string') {
      throw new TypeError(`ShardedMap: name must be a string, got ${typeof options.name}`);
    }
    const seed = options.seed;
    if (seed !== undefined && (!Number.isInteger(seed) || seed < 0 || seed > 0xffffffff)) {
      throw new RangeError(`ShardedMap: seed must be an integer from 0 to 4294967295, got ${describeValue(seed)}`);
    }
    this.name = options.name ?? `sharded-map-${nextInProcess('presize.sharded-map.unnamed')}`;
    this.hint = options.hint ?? 0;
    this.shardMask = shards - 1;
    this.random = seed === undefined ? secureRandom32 : splitmix32(seed);
    this.seed = this.random();
    this.seedHigh = this.random();
    this.shardMaps = Array.from(
      { length: shards },
      () => new PresizedMap<K, V>({ hint: perShard, name: this.name, seed }),
    );
  }

  /** Number of shards. */
  get shards(): number {
    return this.shardMaps.length;
  }

  get size(): number {
    return this.count;
  }

  get [Symbol.toStringTag](): string {
    return 'ShardedMap';
  }

  /** The shard `key` lives in. */
  shardOf(key: K): PresizedMap<K, V> {
    if (typeof key === 'string') hashString(key, this.seed, this.seedHigh);
    else if (typeof key === 'number') hashNumber(key, this.seed, this.seedHigh);
    else throw keyTypeError('ShardedMap', key);
    return this.shardMaps[hashHigh() & this.shardMask]!;
  }

  /** The shard at `index` (0 .. shards - 1), for inspection. */
  shard(index: number): PresizedMap<K, V> {
    const map = this.shardMaps[index];
    if (map === undefined) {
      throw new RangeError(`ShardedMap: shard index must be from 0 to ${this.shardMask}, got ${describeValue(index)}`);
    }
    return map;
  }

  get(key: K): V | undefined {
    return this.shardOf(key).get(key);
  }

  has(key: K): boolean {
    return this.shardOf(key).has(key);
  }

  set(key: K, value: V): this {
    const shard = this.shardOf(key);
    const before = shard.size;
    shard.set(key, value);
    this.count += shard.size - before;
    return this;
  }

  delete(key: K): boolean {
    if (!this.shardOf(key).delete(key)) return false;
    if (--this.count === 0) this.reseed();
    return true;
  }

  clear(): void {
    for (const shard of this.shardMaps) shard.clear();
    this.count = 0;
    this.reseed();
  }

  private reseed(): void {
    this.seed = this.random();
    this.seedHigh = this.random();
  }

  forEach(callback: (value: V, key: K, map: Map<K, V>) => void, thisArg?: unknown): void {
    for (const [key, value] of this.entries()) callback.call(thisArg, value, key, this);
  }

  keys(): MapIterator<K> {
    return new ShardedMapIterator(this.shardMaps, this.random(), openKeys<K, V>);
  }

  values(): MapIterator<V> {
    return new ShardedMapIterator(this.shardMaps, this.random(), openValues<K, V>);
  }

  entries(): MapIterator<[K, V]> {
    return new ShardedMapIterator(this.shardMaps, this.random(), openEntries<K, V>);
  }

  [Symbol.iterator](): MapIterator<[K, V]> {
    return this.entries();
  }

  /** Every shard's snapshot, and their merge: counts summed, B the largest shard's. */
  stats(): ShardedMapStats {
    const shards = this.shardMaps.map((shard) => shard.stats());
    const merged: ShardedMapStats = {
      size: 0,
      B: 0,
      buckets: 0,
      overflowBuckets: 0,
      noverflow: 0,
      growing: false,
      oldBuckets: 0,
      evacuated: 0,
      growths: 0,
      sameSizeGrowths: 0,
      hint: this.hint,
      loadFactor: 0,
      nextGrowthAt: 0,
      bucketCapacity: 0,
      entryCapacity: 0,
      shards,
    };
    for (const s of shards) {
      merged.size += s.size;
      merged.B = Math.max(merged.B, s.B);
      merged.buckets += s.buckets;
      merged.overflowBuckets += s.overflowBuckets;
      merged.noverflow += s.noverflow;
      merged.growing ||= s.growing;
      merged.oldBuckets += s.oldBuckets;
      merged.evacuated += s.evacuated;
      merged.growths += s.growths;
      merged.sameSizeGrowths += s.sameSizeGrowths;
      merged.nextGrowthAt += s.nextGrowthAt;
      merged.bucketCapacity += s.bucketCapacity;
      merged.entryCapacity += s.entryCapacity;
    }
    merged.loadFactor = merged.size / merged.buckets;
    return merged;
  }
}

// Module functions rather than a closure made by each call: compiled code that calls one holds it,
// and would lose that code once the closure it saw is collected.
function openKeys<K extends string | number, V>(shard: PresizedMap<K, V>): MapIterator<K> {
  return shard.keys();
}

function openValues<K extends string | number, V>(shard: PresizedMap<K, V>): MapIterator<V> {
  return shard.values();
}

function openEntries<K extends string | number, V>(shard: PresizedMap<K, V>): MapIterator<[K, V]> {
  return shard.entries();
}

/** Walks the shards one after another from a random one, each with its own (randomised) iterator. */
class ShardedMapIterator<K extends string | number, V, T> implements MapIterator<T> {
  private index = 0;
  private current: MapIterator<T> | null = null;

  constructor(
    private readonly shards: readonly PresizedMap<K, V>[],
    private readonly start: number,
    private readonly open: (shard: PresizedMap<K, V>) => MapIterator<T>,
  ) {}

  // One result object made in one place, as in the shards' iterators, so that it and theirs can
  // live in registers once a loop reading them is optimised.
  next(): IteratorResult<T, undefined> {
    const count = this.shards.length;
    let value: T | undefined = undefined;
    let done = true;
    while (this.index < count) {
      if (this.current === null) {
        this.current = this.open(this.shards[(this.start + this.index) & (count - 1)]!);
      }
      const r = this.current.next();
      if (!r.done) {
        value = r.value;
        done = false;
        break;
      }
      this.current = null;
      this.index++;
    }
    return { value, done } as IteratorResult<T, undefined>;
  }

  /** Inherited from %IteratorPrototype% (see inheritIteratorHelpers): returns the iterator itself. */
  declare [Symbol.iterator]: () => this;

  get [Symbol.toStringTag](): string {
    return 'ShardedMap Iterator';
  }
}

inheritIteratorHelpers(ShardedMapIterator.prototype);

keepShapes(() => {
  // Named, so that it takes no number from the unnamed maps' sequence; seeded, as the presized
  // map's kept instances are (see presized-map.ts).
  const map = new ShardedMap<string, null>({ name: 'shape-keeper', shards: 2, hint: 18, seed: 0 });
  map.set('', null);
  return [map, map.entries()];
});
