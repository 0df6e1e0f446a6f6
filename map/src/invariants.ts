import {
  EMPTY_ONE,
  EMPTY_REST,
  ENTRY_BITS,
  EVACUATED_EMPTY,
  MIN_TOP_HASH,
  NO_BUCKET,
  ROW_WORDS,
  entryAt,
  linkAt,
  splitField,
  topAt,
  type BucketArray,
} from './bucket-array.js';
import { keyOf } from './entry-store.js';
import { hashHigh, hashKey, topHash } from './hash.js';
import type { PresizedMap } from './presized-map.js';

/**
 * Walks every bucket of a presized map and throws if its internal state breaks one of the
 * invariants of the Go map: used by the tests, not part of the package's exports.
 */
export function checkInvariants<K extends string | number, V>(map: PresizedMap<K, V>): void {
  const fail = (what: string): never => {
    throw new Error(`PresizedMap invariant broken: ${what}`);
  };
  const buckets = map['buckets'];
  const old = map['old'];
  const seed = map['hashSeed'];
  const seedHigh = map['hashSeedHigh'];
  const B = map['B'];
  const count = map['count'];
  const chunks = map['chunks'];
  const seen = new Set<K>();
  const entriesSeen = new Set<number>();
  let live = 0;

  const walkChain = (array: BucketArray, head: number, mask: number, evacuatedAllowed: boolean): void => {
    let restSeen = false;
    let b = head;
    let hops = 0;
    do {
      for (let j = b << 3; j < (b << 3) + 8; j++) {
        const t = array.tophash[topAt(j)]!;
        if (restSeen && t !== EMPTY_REST) fail(`slot ${j} after an EMPTY_REST slot has tophash ${t}`);
        if (t === EMPTY_REST) {
          restSeen = true;
          continue;
        }
        if (t === EMPTY_ONE) continue;
        if (t < MIN_TOP_HASH) {
          if (!evacuatedAllowed || t > EVACUATED_EMPTY) fail(`slot ${j} has marker ${t} outside an evacuated bucket`);
          continue;
        }
        const word = array.rows[entryAt(j)]!;
        const entry = word & ENTRY_BITS;
        if (entriesSeen.has(entry)) fail(`entry ${entry} is held by two slots`);
        entriesSeen.add(entry);
        const key = keyOf<K>(chunks, entry);
        if (key === undefined) fail(`slot ${j} holds free entry ${entry}`);
        const lo = hashKey(key, seed, seedHigh);
        if (topHash(hashHigh()) !== t) fail(`slot ${j} has tophash ${t} that is not its key's`);
        if ((lo & mask) !== head) fail(`key in slot ${j} belongs to bucket ${lo & mask}, found in chain ${head}`);
        const split = splitField(word);
        if (split > 1) {
          // Behind the marker, as many bits as it counts: those of the key's hash from bit B up.
          const known = 31 - Math.clz32(split);
          const mask = (1 << known) - 1;
          if ((split & mask) !== ((lo >>> array.B) & mask)) fail(`slot ${j} has wrong split bits`);
        } else if (split === 1) {
          fail(`slot ${j} has a split marker without bits`);
        }
        if (seen.has(key)) fail(`key ${String(key)} is stored twice`);
        seen.add(key);
        live++;
      }
      b = array.rows[linkAt(b)]!;
      if (++hops > 1 << 20) fail(`chain ${head} does not end`);
    } while (b !== NO_BUCKET);
  };

  if (buckets === null) {
    if (count !== 0) fail(`count ${count} without a bucket array`);
    return;
  }
  if (buckets.B !== B) fail(`B ${B} differs from the bucket array's ${buckets.B}`);
  const main = 2 ** B;
  let linked = 0;
  for (let bucket = 0; bucket < main; bucket++) {
    for (let b = buckets.rows[linkAt(bucket)]!; b !== NO_BUCKET; b = buckets.rows[linkAt(b)]!) linked++;
  }
  if (linked !== buckets.overflowInUse) fail(`${linked} overflow buckets linked, ${buckets.overflowInUse} handed out`);
  if (B < 16 && map['noverflow'] !== linked) fail(`noverflow ${map['noverflow']} but ${linked} overflow buckets`);

  if (old !== null) {
    const oldCount = map['oldBucketCount'];
    const nevacuate = map['nevacuate'];
    if (old.B !== (map['sameSize'] ? B : B - 1)) fail(`old B ${old.B} does not fit B ${B}`);
    if (oldCount !== 2 ** old.B) fail(`old bucket count ${oldCount} is not 2^${old.B}`);
    if (nevacuate > oldCount) fail(`nevacuate ${nevacuate} beyond ${oldCount} old buckets`);
    for (let ob = 0; ob < oldCount; ob++) {
      const first = old.tophash[topAt(ob << 3)]!;
      const evacuated = first > EMPTY_ONE && first < MIN_TOP_HASH;
      if (ob < nevacuate && !evacuated) fail(`old bucket ${ob} below nevacuate ${nevacuate} is not evacuated`);
      if (evacuated) {
        let b = ob;
        do {
          for (let j = b << 3; j < (b << 3) + 8; j++) {
            const t = old.tophash[topAt(j)]!;
            if (t <= EMPTY_ONE || t >= MIN_TOP_HASH) fail(`evacuated old bucket ${ob} has tophash ${t} in slot ${j}`);
          }
          b = old.rows[linkAt(b)]!;
        } while (b !== NO_BUCKET);
        // Its new buckets hold its entries: walked below with the current array.
      } else {
        walkChain(old, ob, oldCount - 1, false);
        // The new buckets fed by an old bucket not yet evacuated are still empty.
        const targets = map['sameSize'] ? [ob] : [ob, ob + oldCount];
        for (const target of targets) {
          if (buckets.rows[linkAt(target)] !== NO_BUCKET)
            fail(`new bucket ${target} has overflow before its source is evacuated`);
          for (let j = target << 3; j < (target << 3) + 8; j++) {
            if (buckets.tophash[topAt(j)] !== EMPTY_REST)
              fail(`new bucket ${target} written before its source ${ob} was evacuated`);
          }
        }
      }
    }
  }
  for (let bucket = 0; bucket < main; bucket++) walkChain(buckets, bucket, main - 1, false);
  if (live !== count) fail(`count ${count} but ${live} live entries`);
  const stats = map.stats();
  if (stats.size !== count) fail(`stats().size ${stats.size} but count ${count}`);
  if (stats.growing !== (old !== null) || stats.growing !== stats.oldBuckets > 0) {
    fail(`stats().growing ${stats.growing} with oldBuckets ${stats.oldBuckets}`);
  }
  if (stats.evacuated > stats.oldBuckets) fail(`stats().evacuated ${stats.evacuated} > oldBuckets ${stats.oldBuckets}`);
  if (stats.bucketCapacity !== buckets.rows.length / ROW_WORDS || buckets.nextOverflow > stats.bucketCapacity) {
    fail(`stats().bucketCapacity ${stats.bucketCapacity} with ${buckets.nextOverflow} buckets handed out`);
  }
  const stored = chunks.reduce((sum, chunk) => sum + chunk.length / 2, 0);
  if (stats.entryCapacity !== stored)
    fail(`stats().entryCapacity ${stats.entryCapacity} but chunks hold ${stored} entries`);
  if (stats.entryCapacity < count) fail(`stats().entryCapacity ${stats.entryCapacity} below count ${count}`);
}
