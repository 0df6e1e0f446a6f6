/** Entries per chunk of the store: 32,768, as a shift (see EntryStore for why). */
export const ENTRY_CHUNK_SHIFT = 15;
/** Mask of an entry's position inside its chunk. */
export const ENTRY_CHUNK_MASK = (1 << ENTRY_CHUNK_SHIFT) - 1;
/** Elements of a full chunk: a key and a value per entry. */
const FULL_CHUNK = (ENTRY_CHUNK_MASK + 1) * 2;
/** Elements of the first chunk of a map created without a hint. */
const FIRST_CHUNK = 16;

/**
 * Keys and values of up to 32,768 entries: the key of entry i at 2i, its value at 2i + 1. A free
 * entry holds `undefined` as its key and the number of the next free entry (or -1) as its value.
 */
export type EntryChunk = unknown[];

/** The key of `entry`, or `undefined` when the entry is free. */
export function keyOf<K>(chunks: readonly EntryChunk[], entry: number): K {
  return chunks[entry >>> ENTRY_CHUNK_SHIFT]![(entry & ENTRY_CHUNK_MASK) << 1] as K;
}

/** The value of a live `entry`. */
export function valueOf<V>(chunks: readonly EntryChunk[], entry: number): V {
  return chunks[entry >>> ENTRY_CHUNK_SHIFT]![((entry & ENTRY_CHUNK_MASK) << 1) + 1] as V;
}

/**
 * The keys and values of one map, numbered densely: a bucket slot holds only a tophash byte and
 * the number of its entry (both in typed arrays, which the garbage collector never scans), and
 * the key and value live here, in one place for the map's whole life.
 *
 * Why: the collector pays for JavaScript arrays by the byte when it allocates and promotes them,
 * and nothing at all for typed arrays. Keys and values in the bucket slots themselves (Go's
 * layout) cost 16 bytes per slot, 2 to 3 slots per entry at Go's load factors, and a growth had
 * to allocate all of them again. Here a growth allocates typed arrays only and moves entry numbers;
 * the store grows by 16 bytes per entry the map holds at its fullest, like a native `Map`'s table.
 *
 * A deleted entry goes on a free list that the next new key takes. That is safe for iterators
 * still walking a bucket array the map has replaced: its evacuated slots name entries that may
 * since have been freed or reused, so an iterator reads such an entry's key only to look it up in
 * the map and keeps it only if it belongs to the bucket being walked (see the iterator).
 *
 * Chunks are never copied once full; the first chunk of a small map starts small and doubles up to
 * full size. A full chunk is 32,768 entries (65,536 elements, 512 KiB), for what V8 does with
 * arrays (see "Memory layout and the garbage collector" in the README): an array of more than
 * 128 KiB is born in the young large-object space on pages of its own, which a scavenge promotes
 * without copying, where smaller arrays are copied twice by scavenges (in a model of the store
 * filled with 4,000,000 keys, chunks of 4,096 entries made 20 scavenges of up to 35 ms, chunks of
 * 8,192 entries 8 of up to 10 ms). Promoting one costs the scavenge a fixed part per object besides
 * a visit of each slot: during 4,000,000 unsized inserts the scavenges took 23.7 ms in all with
 * chunks of 8,192 entries, 18.6 ms with 16,384, 15.0 ms with 32,768 and 14.0 ms with 65,536. But
 * those pages are fresh memory, which the kernel maps page by page as V8 fills the new array with
 * holes: the insert that creates a chunk pays about 0.5 ms per 128 KiB. 32,768 entries keeps such
 * inserts at about 2 ms, about 120 of them for 4,000,000 keys.
 */
export class EntryStore {
  /** Chunk i holds entries i * 32768 .. i * 32768 + 32767. */
  readonly chunks: EntryChunk[] = [];
  /** Entries handed out at least once: live ones plus those on the free list. */
  private length = 0;
  /** The most recently freed entry, or -1. */
  private freeHead = -1;
  /** Entries whose storage the constructor created. */
  private readonly reserved: number;

  /** `reserve` entries get their storage now: a map sized by its hint pays when it is built (Go's makemap). */
  constructor(reserve: number) {
    this.reserved = reserve;
    for (let start = 0; start < reserve; start += ENTRY_CHUNK_MASK + 1) {
      this.createChunk(Math.min(reserve - start, ENTRY_CHUNK_MASK + 1) * 2);
    }
  }

  /** Entries the chunks have room for: those handed out and those not yet used. */
  get capacity(): number {
    let elements = 0;
    for (const chunk of this.chunks) elements += chunk.length;
    return elements / 2;
  }

  /** Stores a new entry and returns its number. */
  add(key: unknown, value: unknown): number {
    let entry = this.freeHead;
    let chunk: EntryChunk;
    if (entry >= 0) {
      chunk = this.chunks[entry >>> ENTRY_CHUNK_SHIFT]!;
      this.freeHead = chunk[((entry & ENTRY_CHUNK_MASK) << 1) + 1] as number;
    } else {
      entry = this.length++;
      // The next chunk is created with the last entry of this one, not with the first entry beyond
      // it: a map doubles when its count reaches 13 * 2^(B-1), a multiple of the chunk size from
      // B = 16 on, and the insert that starts a doubling should not pay for a chunk as well.
      // Within the reservation of a hinted map nothing is created ahead. Both tests run on every
      // insert (no `&&`): see chunkWithRoomFor.
      const lastOfChunk = (entry & ENTRY_CHUNK_MASK) === ENTRY_CHUNK_MASK;
      const reserved = entry < this.reserved;
      chunk = this.chunkWithRoomFor(entry, lastOfChunk && !reserved);
    }
    const at = (entry & ENTRY_CHUNK_MASK) << 1;
    chunk[at] = key;
    chunk[at + 1] = value;
    return entry;
  }

  /** Frees `entry`, dropping the references to its key and value. */
  remove(entry: number): void {
    const chunk = this.chunks[entry >>> ENTRY_CHUNK_SHIFT]!;
    const at = (entry & ENTRY_CHUNK_MASK) << 1;
    chunk[at] = undefined;
    chunk[at + 1] = this.freeHead;
    this.freeHead = entry;
  }

  /** Frees every entry, keeping the storage (Go's mapclear keeps the buckets). */
  reset(): void {
    for (const chunk of this.chunks) chunk.fill(undefined);
    this.length = 0;
    this.freeHead = -1;
  }

  /**
   * The chunk of `entry`, created or made longer if it has no room for it; with `createNext`, the
   * chunk after it is created too. The first chunk created ahead (at entry 32,767) comes long after
   * V8 optimised the map's insert, and optimised code throws itself away at an operation it has
   * never seen run (no type feedback for it) or at a read past an array's end. So every chunk an
   * insert creates is created by one call, which the first insert of an unsized map runs, every
   * operation here runs on every insert, and no chunk past the end is read.
   */
  private chunkWithRoomFor(entry: number, createNext: boolean): EntryChunk {
    const index = entry >>> ENTRY_CHUNK_SHIFT;
    const chunks = this.chunks;
    for (const last = index + (createNext ? 1 : 0); chunks.length <= last;) {
      this.createChunk(chunks.length === 0 ? FIRST_CHUNK : FULL_CHUNK);
    }
    const chunk = chunks[index]!;
    const at = (entry & ENTRY_CHUNK_MASK) << 1;
    if (at < chunk.length) return chunk;
    // A short chunk (the first of a small map, or the last of a hinted one) doubles, by a copy of
    // at most 256 KiB, so that small maps stay small.
    const larger = newChunk(Math.min(Math.max(chunk.length * 2, at + 2), FULL_CHUNK));
    for (let i = 0; i < chunk.length; i++) larger[i] = chunk[i];
    this.chunks[index] = larger;
    return larger;
  }

  private createChunk(elements: number): EntryChunk {
    const chunk = newChunk(elements);
    this.chunks.push(chunk);
    return chunk;
  }
}

function newChunk(elements: number): EntryChunk {
  const chunk = new Array<unknown>(elements);
  // Every chunk gets the same elements kind (any value, with holes) from the start, so that the
  // map's loads and stores stay monomorphic instead of meeting chunks of several kinds.
  chunk[0] = undefined;
  return chunk;
}
