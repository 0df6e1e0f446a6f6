// bench-node-flags: --import tsx
//
// Crafted integer keys against random ones. V8 hashes a small integer key of a native Map or Set
// with a fixed function, the same in every process, so integers that share a bucket can be
// computed once, offline (map/test/presized-map/v8-integer-collisions.ts): 32,967 of them share
// bucket 0 of any table of up to 65,536 buckets. A PresizedMap hashes every key under a key of its
// own (map README, "Hash"). Each map and key set runs in a process of its own: the keys set into an
// unsized map one after another, then each read back once.
import { PresizedMap } from '@presize/map';
import { v8IntegerCollisions } from '../map/test/presized-map/v8-integer-collisions.ts';
import { inFreshProcess, measureOrCompare } from './fresh-process.mjs';
import { rotation } from './interleave.mjs';
import { fmtInt, fmtMs, fmtRatio, median, now, progress, quick, table, writeReport } from './lib.mjs';

/** Bits of V8's hash the crafted keys share: one bucket of a table of up to 2^16 buckets. */
const SHARED_BITS = 16;
const ROUNDS = quick() ? 1 : 5;

/** `map` with key i of `keys` set to i (each process runs one map kind: the loop sees one). */
function filled(map, keys) {
  for (let i = 0; i < keys.length; i++) map.set(keys[i], i);
  return map;
}

const maps = {
  native: {
    label: 'native Map',
    run: (keys) => filled(new Map(), keys),
    read: (map, key) => map.get(key),
  },
  set: {
    label: 'native Set',
    run(keys) {
      const set = new Set();
      for (let i = 0; i < keys.length; i++) set.add(keys[i]);
      return set;
    },
    read: (set, key) => (set.has(key) ? 1 : undefined),
  },
  presized: {
    label: 'PresizedMap (no hint)',
    run: (keys) => filled(new PresizedMap(), keys),
    read: (map, key) => map.get(key),
  },
};

/** As many distinct random integers of 31 bits as there are crafted keys (a multiplicative sequence). */
const randomKeys = (n) => Array.from({ length: n }, (_, i) => Math.imul(i + 1, 0x9e3779b1) >> 1);
const keySets = {
  crafted: () => v8IntegerCollisions(SHARED_BITS),
  random: () => randomKeys(v8IntegerCollisions(SHARED_BITS).length),
};

function measure(variant) {
  const [mapKind, keyKind] = variant.split(':');
  const { run, read } = maps[mapKind];
  const keys = keySets[keyKind]();
  const t0 = now();
  const map = run(keys);
  const setMs = now() - t0;
  let found = 0;
  const t1 = now();
  for (let i = 0; i < keys.length; i++) if (read(map, keys[i]) !== undefined) found++;
  const getMs = now() - t1;
  if (found !== keys.length) throw new Error(`${variant}: found ${found} of ${keys.length} keys`);
  return { keys: keys.length, setMs, getMs };
}

async function compare() {
  const variants = Object.keys(maps).flatMap((m) => Object.keys(keySets).map((k) => `${m}:${k}`));
  const runs = Object.fromEntries(variants.map((v) => [v, []]));
  for (let round = 0; round < ROUNDS; round++) {
    for (const variant of rotation(variants, round)) {
      const r = inFreshProcess(import.meta.url, variant);
      runs[variant].push(r);
      progress(`round ${round + 1}, ${variant}: set ${fmtMs(r.setMs)}, get ${fmtMs(r.getMs)}`);
    }
  }
  const med = (variant, field) => median(runs[variant].map((r) => r[field]));
  const keyCount = runs['native:crafted'][0].keys;
  const rows = Object.entries(maps).map(([kind, { label }]) => {
    const crafted = { set: med(`${kind}:crafted`, 'setMs'), get: med(`${kind}:crafted`, 'getMs') };
    const random = { set: med(`${kind}:random`, 'setMs'), get: med(`${kind}:random`, 'getMs') };
    return [
      label,
      fmtMs(random.set),
      fmtMs(crafted.set),
      fmtRatio(crafted.set / random.set),
      fmtMs(random.get),
      fmtMs(crafted.get),
      fmtRatio(crafted.get / random.get),
    ];
  });
  const nativeCrafted = med('native:crafted', 'setMs') + med('native:crafted', 'getMs');
  const presizedCrafted = med('presized:crafted', 'setMs') + med('presized:crafted', 'getMs');
  writeReport(
    [
      '## Crafted integer keys: a native Map against a PresizedMap',
      '',
      `${fmtInt(keyCount)} integers whose V8 hash ends in ${SHARED_BITS} zero bits (one bucket of any native table of up to`,
      `${fmtInt(2 ** SHARED_BITS)} buckets, in every process: V8 hashes small integers with a fixed function), against as many`,
      'random integers. Set into an unsized map one after another, then each read back once; one process per map',
      `and key set, median of ${ROUNDS} rounds in rotating order. *crafted / random*: how many times longer the crafted keys take.`,
      '',
      table(
        ['', 'set, random', 'set, crafted', 'crafted / random', 'get, random', 'get, crafted', 'crafted / random'],
        rows,
      ),
      '',
      `With the crafted keys, set and get together: native Map ${fmtMs(nativeCrafted)}, PresizedMap ${fmtMs(presizedCrafted)}`,
      `(${fmtRatio(nativeCrafted / presizedCrafted)} as long in the native Map).`,
    ].join('\n'),
  );
}

await measureOrCompare(measure, compare);
