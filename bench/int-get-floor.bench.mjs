// How fast can any keyed lookup of integer keys be, called from JavaScript, against a native Map?
// The map's target for integer gets is 1.2 times a native Map's rate; this bench measures the
// fastest table a JavaScript process can read, with none of the map's rules, to show what that
// target asks. The table: one Int32Array, a bucket per 64-byte cache line (eight keys, then their
// eight entry numbers), buckets probed in turn when one is full, about 3.8 keys a bucket; the hash:
// one keyed 64-bit product and a finaliser, where the map's computes both halves of its 64-bit hash
// with a finaliser each. One variant reads the value from an array of values, as any map of JavaScript values must; the other
// returns the entry number and reads no value at all, a lookup no map can be. The same 1,000,000
// integer keys as `map-throughput`, got in a shuffled order; each variant in processes of its own,
// the variants alternating.
import { PresizedMap } from '@presize/map';
import { inFreshProcess, measureOrCompare } from './fresh-process.mjs';
import { rotation } from './interleave.mjs';
import {
  fmtInt,
  integerKeys,
  fmtRatio,
  median,
  medianInterval,
  now,
  progress,
  quick,
  shuffled,
  table,
  writeReport,
} from './lib.mjs';

const N = quick() ? 100_000 : 1_000_000;
const PROCESSES = quick() ? 1 : 5;
/** Timed passes over the keys in each process, after one untimed pass; the process reports their median. */
const PASSES = quick() ? 2 : 5;

/** Slots a bucket holds: eight keys and eight entry numbers, 64 bytes. */
const SLOTS = 8;
const BUCKET_WORDS = SLOTS * 2;

/**
 * The lookup of a table holding entry i for key i of `keys`: it returns a key's entry number, or -1.
 * The table stores entry numbers plus one, so that an empty slot is 0.
 */
function floorTable(keys) {
  let buckets = 1;
  while (buckets * 3.8 < keys.length) buckets *= 2;
  const mask = buckets - 1;
  const words = new Int32Array(buckets * BUCKET_WORDS);
  const k0 = 0x2545f491;
  const k1 = (0x7ff00001 ^ 0x9e3779b9) >>> 0;
  const bucketOf = (key) => {
    const x = (key ^ k0) >>> 0;
    // The low word of the 64-bit product x * k1, XORed with its high word taken from a float
    // product, as the map's hash takes it (exact but for the lowest bits, which a table can spare).
    let h = Math.imul(x, k1) ^ ((x * (k1 * 2.3283064365386963e-10)) >>> 0);
    h ^= h >>> 16;
    h = Math.imul(h, 0x85ebca6b);
    h ^= h >>> 13;
    h = Math.imul(h, 0xc2b2ae35);
    return (h ^ (h >>> 16)) & mask;
  };
  for (let entry = 0; entry < keys.length; entry++) {
    for (let b = bucketOf(keys[entry]); ; b = (b + 1) & mask) {
      const at = b * BUCKET_WORDS;
      const free = words.subarray(at + SLOTS, at + BUCKET_WORDS).indexOf(0);
      if (free < 0) continue;
      words[at + free] = keys[entry];
      words[at + SLOTS + free] = entry + 1;
      break;
    }
  }
  return (key) => {
    for (let b = bucketOf(key); ; b = (b + 1) & mask) {
      const at = b * BUCKET_WORDS;
      for (let i = 0; i < SLOTS; i++) {
        const entry = words[at + SLOTS + i];
        if (entry === 0) return -1;
        if (words[at + i] === key) return entry - 1;
      }
    }
  };
}

/**
 * A function that reads every key of its `lookups` from `map`, filled with entry i for key i of
 * `keys`, and returns the sum of what it read. Each variant runs in a process of its own, so the
 * loop sees one kind of map.
 */
function mapReader(map, keys) {
  for (let i = 0; i < keys.length; i++) map.set(keys[i], i);
  return (lookups) => {
    let sum = 0;
    for (let i = 0; i < lookups.length; i++) sum += map.get(lookups[i]);
    return sum;
  };
}

/** For each variant: a function that reads every key of `lookups` and returns the sum of what it read. */
const variants = {
  native: {
    label: 'native Map',
    build: (keys) => mapReader(new Map(), keys),
  },
  presized: {
    label: `PresizedMap, hint ${fmtInt(N)}`,
    build: (keys) => mapReader(new PresizedMap({ hint: keys.length }), keys),
  },
  floor: {
    label: 'the floor table, value read from an array',
    build(keys) {
      const find = floorTable(keys);
      const values = keys.map((_, i) => i);
      return (lookups) => {
        let sum = 0;
        for (let i = 0; i < lookups.length; i++) sum += values[find(lookups[i])];
        return sum;
      };
    },
  },
  'floor-no-value': {
    label: 'the floor table, no value read (the entry number summed)',
    build(keys) {
      const find = floorTable(keys);
      return (lookups) => {
        let sum = 0;
        for (let i = 0; i < lookups.length; i++) sum += find(lookups[i]);
        return sum;
      };
    },
  },
};

function measure(variant) {
  const keys = integerKeys(N);
  const lookups = shuffled(keys, 7);
  const read = variants[variant].build(keys);
  // Every variant reads back entry i for key i: the same sum, whatever the order.
  const expected = (N * (N - 1)) / 2;
  const times = [];
  for (let pass = 0; pass <= PASSES; pass++) {
    const t0 = now();
    const sum = read(lookups);
    const ns = ((now() - t0) * 1e6) / N;
    if (sum !== expected) throw new Error(`${variant}: read a sum of ${sum}, expected ${expected}`);
    if (pass > 0) times.push(ns);
  }
  return { ns: median(times) };
}

async function compare() {
  const ids = Object.keys(variants);
  const runs = Object.fromEntries(ids.map((id) => [id, []]));
  for (let round = 0; round < PROCESSES; round++) {
    for (const id of rotation(ids, round)) {
      const { ns } = inFreshProcess(import.meta.url, id);
      runs[id].push(ns);
      progress(`process ${round + 1}, ${id}: ${ns.toFixed(0)} ns a get`);
    }
  }
  const native = median(runs.native);
  const rows = ids.map((id) => {
    const ns = median(runs[id]);
    // A process's rate against the native Map's median: the range holds the median ratio.
    const [low, high] = medianInterval(runs[id].map((x) => native / x));
    return [
      variants[id].label,
      `${ns.toFixed(0)} ns`,
      id === 'native' ? '1.00×' : `${fmtRatio(native / ns)} (${fmtRatio(low)} to ${fmtRatio(high)})`,
    ];
  });
  writeReport(
    [
      '## Integer gets: the floor of any keyed lookup',
      '',
      `${fmtInt(N)} integer keys (as in \`map-throughput\`), each got once in a shuffled order; ${PROCESSES} processes per`,
      `variant, alternating, each reporting the median of ${PASSES} passes; the figure is the median over processes.`,
      "*Rate vs native*: the native Map's time over the variant's (1.20× is the map's target for integer keys); in",
      'brackets, the range that holds it with 95 % probability. The floor table: one `Int32Array` of 64-byte buckets',
      '(eight keys, eight entry numbers), a keyed hash shorter than the map\u2019s, no Go rules (`bench/int-get-floor.bench.mjs`).',
      '',
      table(['Lookup', 'Time a get', 'Rate vs native'], rows),
    ].join('\n'),
  );
}

await measureOrCompare(measure, compare);
