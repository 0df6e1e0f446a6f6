// The key hash alone: nanoseconds per hash of the keyed hash against the previous (seed-only)
// hash, and what the key-type check (strings and numbers only) adds to it. Every key is hashed
// inside one loop per hash function and key family, compiled separately (`specialize`) so no
// function pays for the others' type feedback.
// The hash is internal to @presize/map: read from its build.
import { hashKey, hashNumber, hashString } from '../map/dist/esm/hash.js';
import { previousHashKey } from './baseline/previous-hash.mjs';
import { rotation } from './interleave.mjs';
import { deviceKeys, fmtRatio, median, now, progress, quick, specialize, table, writeReport } from './lib.mjs';

const N = quick() ? 1 << 16 : 1 << 20;
const PASSES = quick() ? 2 : 8;
const ROUNDS = quick() ? 3 : 9;

function hashAll(hash, keys, passes) {
  let sink = 0;
  for (let p = 0; p < passes; p++) {
    for (let i = 0; i < keys.length; i++) sink ^= hash(keys[i], 0x1234567, -0x5eed5eed);
  }
  return sink;
}

/** The key hash with the type dispatch it had before keys were checked: anything not a string hashed as a number. */
const unchecked = (key, k0, k1) => (typeof key === 'string' ? hashString(key, k0, k1) : hashNumber(key, k0, k1));

const devices = deviceKeys(N);
const families = [
  { label: '`dev_<8 hex>` (12 code units)', keys: devices },
  {
    label: '`tenant/eu-west-1/cache/dev_<8 hex>` (35 code units)',
    keys: devices.map((k) => `tenant/eu-west-1/cache/${k}`),
  },
  { label: 'int32 numbers', keys: Array.from({ length: N }, (_, i) => Math.imul(i, 0x9e3779b1)) },
  { label: 'floats', keys: Array.from({ length: N }, (_, i) => i / 7 + 0.5) },
];
const hashes = [
  { id: 'previous', label: 'previous hash', fn: previousHashKey },
  { id: 'keyed', label: 'keyed hash (`hashKey`, with the key-type check)', fn: hashKey },
  { id: 'unchecked', label: 'keyed hash, no key-type check', fn: unchecked },
];

const results = families.map((family) => {
  const runs = hashes.map((h) => ({ ...h, loop: specialize(hashAll), ns: [] }));
  for (let r = 0; r < ROUNDS; r++) {
    for (const run of rotation(runs, r)) {
      const t0 = now();
      run.loop(run.fn, family.keys, PASSES);
      run.ns.push(((now() - t0) * 1e6) / (family.keys.length * PASSES));
    }
  }
  const ns = Object.fromEntries(runs.map((run) => [run.id, median(run.ns)]));
  progress(`${family.label}: ${runs.map((run) => `${run.id} ${ns[run.id].toFixed(1)} ns`).join(', ')}`);
  return { family, ns };
});

writeReport(
  [
    '## Key hash alone: keyed hash against the previous hash',
    '',
    `Nanoseconds per hash of ${N.toLocaleString('en-US')} keys, hashed ${PASSES} times in a loop; median of ${ROUNDS} rounds, the`,
    'order of the functions rotating each round. The previous hash seeded only its starting state and let',
    'families of keys share one hash under every seed; the keyed hash multiplies key-dependent words each',
    'round (see the map README, "Hash"). The key-type check is the third branch of `hashKey` that refuses',
    'keys other than strings and numbers.',
    '',
    table(
      ['keys', ...hashes.map((h) => h.label), 'keyed / previous', 'check cost (with / without)'],
      results.map(({ family, ns }) => [
        family.label,
        ...hashes.map((h) => `${ns[h.id].toFixed(1)} ns`),
        fmtRatio(ns.keyed / ns.previous),
        fmtRatio(ns.keyed / ns.unchecked),
      ]),
    ),
  ].join('\n'),
);
