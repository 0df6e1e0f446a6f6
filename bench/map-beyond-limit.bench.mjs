// Past the native Map's limit: 20,000,000 string keys (PRESIZE_BENCH_BEYOND_KEYS=<count> for
// more, memory allowing) set and read back in a PresizedMap and a ShardedMap sized for them,
// beside a native Map, which throws at 16,777,216 entries. Each map runs in a process of its own,
// with a heap limit sized for the count, so that one map's garbage never lands on another's figures.
import { PresizedMap, ShardedMap } from '@presize/map';
import { freshProcessVariant, inFreshProcess, reportToDriver } from './fresh-process.mjs';
import { deviceKeys, fmtBytes, fmtInt, now, progress, quick, settle, table, usedBytes, writeReport } from './lib.mjs';

const COUNT = Number(process.env.PRESIZE_BENCH_BEYOND_KEYS ?? (quick() ? 2_000_000 : 20_000_000));
if (!Number.isSafeInteger(COUNT) || COUNT < 1) {
  throw new RangeError(
    `PRESIZE_BENCH_BEYOND_KEYS must be a whole number above 0, got ${process.env.PRESIZE_BENCH_BEYOND_KEYS}`,
  );
}
/** The native Map's entry limit in V8 (2^24); the native run reports where it actually stopped. */
const NATIVE_LIMIT = 2 ** 24;
/** Heap for a child: keys (about 32 bytes each and an 8-byte array slot) and a table, with room to spare. */
const HEAP_MB = Math.max(2048, Math.ceil((COUNT * 200) / 2 ** 20));
/** A stride coprime with the count visits every key once in an order unrelated to insertion. */
const STRIDE = 1_000_003;

const kinds = {
  presized: { label: `PresizedMap (hint ${fmtInt(COUNT)})`, create: () => new PresizedMap({ hint: COUNT }) },
  sharded: {
    label: `ShardedMap (16 shards, hint ${fmtInt(COUNT)})`,
    create: () => new ShardedMap({ hint: COUNT, shards: 16 }),
  },
  native: { label: 'native Map', create: () => new Map() },
};

function measure(kind) {
  const keys = deviceKeys(COUNT);
  settle();
  const before = usedBytes();
  const map = kinds[kind].create();
  let held = 0;
  let failure = null;
  const t0 = now();
  try {
    for (; held < COUNT; held++) map.set(keys[held], held);
  } catch (error) {
    failure = `${error.constructor.name}: ${error.message}`;
  }
  const setMs = now() - t0;
  settle();
  const bytes = usedBytes() - before;
  const stride = COUNT % STRIDE === 0 ? STRIDE + 2 : STRIDE;
  let found = 0;
  const t1 = now();
  for (let i = 0; i < held; i++) if (map.get(keys[(i * stride) % held]) !== undefined) found++;
  const getMs = now() - t1;
  if (found !== held) throw new Error(`${kinds[kind].label} found ${found} of the ${held} keys it holds`);
  return { held, failure, setMs, getMs, bytesPerEntry: bytes / held, size: map.size };
}

const kindOfThisProcess = freshProcessVariant();
if (kindOfThisProcess) {
  reportToDriver(measure(kindOfThisProcess));
  process.exit(0);
}

const results = {};
for (const kind of Object.keys(kinds)) {
  progress(`${kinds[kind].label}: ${fmtInt(COUNT)} keys, heap limit ${fmtInt(HEAP_MB)} MB`);
  results[kind] = inFreshProcess(import.meta.url, kind, [`--max-old-space-size=${HEAP_MB}`]);
  const r = results[kind];
  progress(
    `  held ${fmtInt(r.held)}, set ${(r.setMs / 1000).toFixed(1)} s, get ${(r.getMs / 1000).toFixed(1)} s${r.failure ? `, then ${r.failure}` : ''}`,
  );
}

const rate = (n, ms) => `${fmtInt(n / ms)}k/s`;
writeReport(
  [
    `## Past the native Map's limit: ${fmtInt(COUNT)} string keys`,
    '',
    `Keys \`dev_<8 hex>\`, all distinct, set one after another (value: the insert number), then every key held read`,
    `back in an order unrelated to insertion. One run per map, each in a process of its own (heap limit ${fmtInt(HEAP_MB)} MB).`,
    `A native \`Map\` holds at most ${fmtInt(NATIVE_LIMIT)} entries; its row shows where it stopped and why. Heap bytes`,
    'per entry: used heap plus ArrayBuffer stores after a full GC, minus the same before the map was created,',
    "over the entries held (the keys existed before: the table's own cost). Run with more keys:",
    '`PRESIZE_BENCH_BEYOND_KEYS=50000000 node bench/run.mjs beyond-limit` (about 200 bytes of heap a key).',
    '',
    table(
      ['', 'entries held', 'set', 'get', 'heap bytes per entry', 'table', 'outcome'],
      Object.entries(results).map(([kind, r]) => [
        kinds[kind].label,
        fmtInt(r.held),
        rate(r.held, r.setMs),
        rate(r.held, r.getMs),
        r.bytesPerEntry.toFixed(1),
        fmtBytes(r.bytesPerEntry * r.held),
        r.failure ? `stopped: \`${r.failure}\`` : `all ${fmtInt(COUNT)} held`,
      ]),
    ),
  ].join('\n'),
);
