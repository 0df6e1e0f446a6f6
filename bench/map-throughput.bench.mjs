// bench-node-flags: --max-old-space-size=4096
// Set and get throughput with 1,000,000 device keys in a map sized for them, against a native Map
// (which cannot be sized) and lru-cache sized with `max`; and the heap each takes per entry.
// A ShardedMap of 16 presized shards runs beside them, to show what picking a shard costs.
// Every rate is measured in a process of its own, one kind and one key type per process, the kinds
// alternating: in one process, a native Map's gets of integer keys took 145 to 293 ns after string
// rounds of every kind had run, against 69 to 82 ns in a process that had run nothing else, while
// a PresizedMap's moved far less, so that sharing a process flattered the map's ratios.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { PresizedMap, ShardedMap } from '@presize/map';
// The hash is internal to the map package: read from its build, to time it alone.
import { hashKey } from '../map/dist/esm/hash.js';
import { freshProcessVariant, inFreshProcess, reportToDriver } from './fresh-process.mjs';
import { rotation } from './interleave.mjs';
import {
  deviceKeys,
  fmtInt,
  integerKeys,
  fmtRatio,
  median,
  medianInterval,
  now,
  progress,
  quick,
  quiesce,
  settle,
  shuffled,
  specialize,
  table,
  usedBytes,
  verdict,
  writeReport,
} from './lib.mjs';

// lru-cache is a dev dependency of the instrumentation package, resolved from there.
const requireFromPackage = createRequire(new URL('../instrumentation/package.json', import.meta.url));
const { LRUCache } = requireFromPackage('lru-cache');
function installedVersion(name) {
  for (let dir = dirname(requireFromPackage.resolve(name)); dir !== dirname(dir); dir = dirname(dir)) {
    try {
      const manifest = JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8'));
      if (manifest.name === name) return manifest.version;
    } catch {
      // no manifest at this level
    }
  }
  return 'unknown';
}
const lruVersion = installedVersion('lru-cache');

const N = quick() ? 100_000 : 1_000_000;
/** Processes per kind and key type; each runs one untimed round, then RATE_ROUNDS timed ones. */
const PROCESSES = quick() ? 1 : 7;
const RATE_ROUNDS = quick() ? 1 : 3;
const HASH_ROUNDS = quick() ? 2 : 5;
const MEMORY_ROUNDS = quick() ? 1 : 2;

function setAll(map, keys) {
  for (let i = 0; i < keys.length; i++) map.set(keys[i], i);
}
function getAll(map, keys) {
  let found = 0;
  for (let i = 0; i < keys.length; i++) if (map.get(keys[i]) !== undefined) found++;
  return found;
}

const kinds = [
  { id: 'presized', label: `PresizedMap (hint ${fmtInt(N)})`, create: () => new PresizedMap({ hint: N }) },
  { id: 'native', label: 'native Map', create: () => new Map() },
  { id: 'lru', label: `lru-cache ${lruVersion} (max ${fmtInt(N)})`, create: () => new LRUCache({ max: N }) },
  {
    id: 'sharded',
    label: `ShardedMap (16 shards, hint ${fmtInt(N)})`,
    create: () => new ShardedMap({ hint: N, shards: 16 }),
  },
];
const intKinds = kinds.filter((k) => k.id === 'presized' || k.id === 'native');

/**
 * What the key hash alone costs per lookup, over the keys in lookup order: for strings, the part of
 * a get a native Map does not pay (V8 caches a string's hash). A copy per key type, as the gets.
 */
function hashAll(keys, hash, seed) {
  let mix = 0;
  for (let i = 0; i < keys.length; i++) mix ^= hash(keys[i], seed, ~seed);
  return mix;
}

/** Heap bytes per entry of one kind, measured in a process of its own (see below). */
function bytesPerEntry(kind, keys) {
  settle();
  const before = usedBytes();
  const map = kind.create();
  setAll(map, keys);
  settle();
  const after = usedBytes();
  if (map.get(keys[0]) !== 0) throw new Error(`${kind.label} lost its first key`);
  return (after - before) / keys.length;
}

/** Sets `keys` into a new map of `kind`, then gets `lookups`; the rate of each, in operations a second. */
async function setGetRates(kind, keys, lookups) {
  settle();
  await quiesce();
  const map = kind.create();
  const t0 = now();
  setAll(map, keys);
  const t1 = now();
  const found = getAll(map, lookups);
  const t2 = now();
  if (found !== N) throw new Error(`${kind.label} found ${found} of ${N} keys`);
  return { set: N / ((t1 - t0) / 1000), get: N / ((t2 - t1) / 1000) };
}

/** Distinct integers spread like ids (not 0..N-1, which a native Map hashes into perfect order). */

/**
 * In a process of its own: the median set and get rates of one kind over RATE_ROUNDS rounds, after
 * one untimed round that lets V8 compile the loops.
 */
async function ratesInThisProcess(kind, keyType) {
  const keys = keyType === 'ints' ? integerKeys(N) : deviceKeys(N);
  const lookups = shuffled(keys, 7);
  await setGetRates(kind, keys, lookups);
  const rounds = [];
  for (let r = 0; r < RATE_ROUNDS; r++) rounds.push(await setGetRates(kind, keys, lookups));
  return { set: median(rounds.map((x) => x.set)), get: median(rounds.map((x) => x.get)) };
}

// Variants: `<kind>` measures heap bytes per entry, `<kind>:<strings|ints>` the rates.
const variant = freshProcessVariant();
if (variant) {
  const [id, keyType] = variant.split(':');
  const kind = kinds.find((k) => k.id === id);
  reportToDriver(keyType ? await ratesInThisProcess(kind, keyType) : bytesPerEntry(kind, deviceKeys(N)));
  process.exit(0);
}

const rates = Object.fromEntries(kinds.map((k) => [k.id, { set: [], get: [], setInt: [], getInt: [] }]));
for (let p = 0; p < PROCESSES; p++) {
  for (const kind of rotation(kinds, p)) {
    const { set, get } = inFreshProcess(import.meta.url, `${kind.id}:strings`);
    rates[kind.id].set.push(set);
    rates[kind.id].get.push(get);
  }
  for (const kind of rotation(intKinds, p)) {
    const { set, get } = inFreshProcess(import.meta.url, `${kind.id}:ints`);
    rates[kind.id].setInt.push(set);
    rates[kind.id].getInt.push(get);
  }
  progress(
    `processes ${p + 1}/${PROCESSES}: get ${kinds.map((k) => `${k.id} ${fmtInt(rates[k.id].get.at(-1))}/s`).join(', ')}`,
  );
}

// The hash alone, in this process, over the keys in lookup order.
progress(`generating ${fmtInt(N)} keys`);
const stringKeys = deviceKeys(N);
const lookups = shuffled(stringKeys, 7);
const intLookups = shuffled(integerKeys(N), 7);
const hashNsPerKey = [];
const hashNsPerInt = [];
const hashNsInOrder = [];
const hashStrings = specialize(hashAll);
const hashInts = specialize(hashAll);
for (let r = 0; r < HASH_ROUNDS; r++) {
  const h0 = now();
  if (hashStrings(lookups, hashKey, r) === 0.5) throw new Error('unreachable: keeps the hash loop alive');
  const h1 = now();
  if (hashInts(intLookups, hashKey, r) === 0.5) throw new Error('unreachable: keeps the hash loop alive');
  const h2 = now();
  if (hashStrings(stringKeys, hashKey, r) === 0.5) throw new Error('unreachable: keeps the hash loop alive');
  hashNsPerKey.push(((h1 - h0) * 1e6) / N);
  hashNsPerInt.push(((h2 - h1) * 1e6) / N);
  hashNsInOrder.push(((now() - h2) * 1e6) / N);
}

// Memory in fresh processes: an ArrayBuffer of a collected map is released by a background sweep,
// so measuring kinds one after another in one process would credit the next kind with it.
const bytes = Object.fromEntries(kinds.map((k) => [k.id, []]));
for (let r = 0; r < MEMORY_ROUNDS; r++) {
  for (const kind of kinds) bytes[kind.id].push(inFreshProcess(import.meta.url, kind.id));
}

const rate = (id, op) => median(rates[id][op]);
const perEntry = (id) => median(bytes[id]);
// A ratio pairs the map's process with the native Map's process of the same round (each round
// runs one process of every kind): the median of those ratios, and the range that holds it with
// 95 % probability, since one kind's processes differ by up to 2× from one another.
const pairedRatios = (op) => rates.presized[op].map((x, p) => x / rates.native[op][p]);
const ratioOf = (op) => median(pairedRatios(op));
const rangeOf = (op) => {
  const [low, high] = medianInterval(pairedRatios(op));
  return `${fmtRatio(low)} to ${fmtRatio(high)}`;
};
const setRatio = ratioOf('set');
const getRatio = ratioOf('get');
const setIntRatio = ratioOf('setInt');
const getIntRatio = ratioOf('getInt');
const spread = (id, op) => {
  const ns = rates[id][op].map((x) => 1e9 / x);
  return `${Math.min(...ns).toFixed(0)} to ${Math.max(...ns).toFixed(0)} ns`;
};
const hashNs = median(hashNsPerKey);
const hashInOrderNs = median(hashNsInOrder);
const nativeGetNs = 1e9 / rate('native', 'get');
const presizedGetNs = 1e9 / rate('presized', 'get');
const hashIntNs = median(hashNsPerInt);
const nativeGetIntNs = 1e9 / rate('native', 'getInt');
const presizedGetIntNs = 1e9 / rate('presized', 'getInt');
const memoryRatio = perEntry('presized') / perEntry('native');
const ops = (x) => `${fmtInt(x / 1000)}k/s`;

writeReport(
  [
    `## Throughput and memory at ${fmtInt(N)} keys, presized`,
    '',
    `Each round creates the map, sets ${fmtInt(N)} \`dev_<hex>\` keys (value: the insert number), then gets them`,
    `all in a shuffled order. Each kind and key type in processes of their own (${PROCESSES} each, the kinds alternating),`,
    `each process the median of ${RATE_ROUNDS} rounds after an untimed one; the table gives the median over the processes,`,
    "and each ratio the median of the ratios of the map's process to the native Map's of the same round, with the range",
    'that holds it with 95 % probability in brackets.',
    'Heap per entry: used heap plus ArrayBuffer stores (where typed arrays live) after a full GC, minus',
    `the same before the map was created, over ${fmtInt(N)}; the keys existed before, so this is the table's own cost.`,
    '',
    table(
      ['', ...kinds.map((k) => k.label), 'PresizedMap / native', 'target'],
      [
        [
          'set',
          ...kinds.map((k) => ops(rate(k.id, 'set'))),
          `${fmtRatio(setRatio)} (${rangeOf('set')})`,
          `≥ 1.5×: ${verdict(setRatio >= 1.5)}`,
        ],
        [
          'get',
          ...kinds.map((k) => ops(rate(k.id, 'get'))),
          `${fmtRatio(getRatio)} (${rangeOf('get')})`,
          `≥ 1.0×: ${verdict(getRatio >= 1)}`,
        ],
        [
          'set, integer keys',
          ...kinds.map((k) => (intKinds.includes(k) ? ops(rate(k.id, 'setInt')) : '')),
          `${fmtRatio(setIntRatio)} (${rangeOf('setInt')})`,
          '',
        ],
        [
          'get, integer keys',
          ...kinds.map((k) => (intKinds.includes(k) ? ops(rate(k.id, 'getInt')) : '')),
          `${fmtRatio(getIntRatio)} (${rangeOf('getInt')})`,
          `≥ 1.2×: ${verdict(getIntRatio >= 1.2)}`,
        ],
        [
          'heap bytes per entry',
          ...kinds.map((k) => perEntry(k.id).toFixed(1)),
          fmtRatio(memoryRatio),
          `≤ 1.0×: ${verdict(memoryRatio <= 1)}`,
        ],
      ],
    ),
    '',
    `Integer keys: ${fmtInt(N)} distinct integers spread like ids, got in a shuffled order. The string hash alone`,
    `(\`hashKey\` over the same shuffled string keys, nothing else): ${hashNs.toFixed(1)} ns a key, against a whole`,
    `get of ${presizedGetNs.toFixed(0)} ns (PresizedMap) and ${nativeGetNs.toFixed(0)} ns (native Map): a native Map reads`,
    'the hash V8 cached in the string; JavaScript cannot read that cache, so a PresizedMap computes it on every get.',
    `The same hash over the same keys in the order they were created, which lie next to one another in memory so that`,
    `their reads hit the cache: ${hashInOrderNs.toFixed(1)} ns a key, the hash's own work. The rest of the figure above is`,
    "waiting for each key's cache line, which the hash's long chain of dependent steps keeps the CPU from fetching",
    "ahead; a native Map's get reads the same line, for the hash cached in the string's header.",
    `Get times of single processes: PresizedMap ${spread('presized', 'get')}, native Map ${spread('native', 'get')} (string`,
    `keys); PresizedMap ${spread('presized', 'getInt')}, native Map ${spread('native', 'getInt')} (integer keys).`,
    `The int32 hash alone, over the shuffled integer keys: ${hashIntNs.toFixed(1)} ns a key, against a whole get of`,
    `${presizedGetIntNs.toFixed(0)} ns (PresizedMap) and ${nativeGetIntNs.toFixed(0)} ns (native Map).`,
  ].join('\n'),
);
