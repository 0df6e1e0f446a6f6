// Request-scoped maps after an idle collection: a service builds a map per request, and while it
// idles between bursts a full collection finds none alive. V8 then frees the hidden classes of
// classes with no instance left and drops the code compiled for them; the package keeps one
// instance of each of its classes (map/src/shape-keeper.ts) so that its code survives. Each burst
// is 50 requests, each building a map of 2,000 string keys with a hint and reading every key
// back; its CPU time is measured after a forced full collection, once the collector's helper
// threads are idle again ("after an idle collection"), and with none before it ("back to back"). Kinds and modes alternate, in rotating order; the first
// rounds warm up and are dropped.
import { rotation } from './interleave.mjs';
import {
  fmtMs,
  median,
  medianInterval,
  progress,
  quick,
  quiesce,
  settle,
  specialize,
  table,
  writeReport,
} from './lib.mjs';
import { PresizedMap } from '@presize/map';

const REQUESTS = 50;
const KEYS = 2_000;
const ROUNDS = quick() ? 6 : 41;
const WARMUP = quick() ? 1 : 5;

const keys = Array.from({ length: KEYS }, (_, i) => `req-${i.toString(36)}-key`);

function burst(create, keys, requests) {
  let sum = 0;
  for (let r = 0; r < requests; r++) {
    const map = create();
    for (let i = 0; i < keys.length; i++) map.set(keys[i], i);
    for (let i = 0; i < keys.length; i++) sum += map.get(keys[i]);
  }
  return sum;
}

const kinds = [
  { id: 'presized', label: `PresizedMap (hint ${KEYS})`, create: () => new PresizedMap({ hint: KEYS }) },
  { id: 'native', label: 'native Map', create: () => new Map() },
];
const modes = [
  {
    id: 'idle',
    label: 'after an idle collection',
    // The collector's helper threads finish sweeping while the service idles, not during the burst.
    before: async () => {
      settle();
      await quiesce();
    },
  },
  { id: 'busy', label: 'back to back', before: async () => {} },
];
const runs = kinds.flatMap((kind) => modes.map((mode) => ({ kind, mode, burst: specialize(burst), cpuMs: [] })));

for (let round = 0; round < ROUNDS; round++) {
  for (const run of rotation(runs, round)) {
    await run.mode.before();
    const cpu = process.cpuUsage();
    run.burst(run.kind.create, keys, REQUESTS);
    const { user, system } = process.cpuUsage(cpu);
    if (round >= WARMUP) run.cpuMs.push((user + system) / 1000);
  }
}

const of = (kind, mode) => runs.find((r) => r.kind.id === kind && r.mode.id === mode).cpuMs;
const ratioRange = (numerator, denominator) => {
  const ratios = numerator.map((n, i) => n / denominator[i]);
  const [low, high] = medianInterval(ratios);
  return `${median(ratios).toFixed(2)} (${low.toFixed(2)}–${high.toFixed(2)})`;
};
for (const run of runs) progress(`${run.kind.label}, ${run.mode.label}: ${fmtMs(median(run.cpuMs))} a burst`);

writeReport(
  [
    '## Request-scoped maps after an idle collection',
    '',
    `Bursts of ${REQUESTS} requests, each building a map of ${KEYS.toLocaleString('en-US')} string keys and reading every key back;`,
    'CPU time of a burst (user + system), median over ' +
      `${ROUNDS - WARMUP} rounds after ${WARMUP} of warm-up, kinds and modes in rotating order. "After an idle`,
    'collection": a full collection runs before the burst, with no map of either kind alive, and the burst',
    "starts once the collector's helper threads are idle again, as in a service idling between bursts.",
    'A ratio is the median of the per-round ratios, with the range that holds',
    'it with 95 % probability.',
    '',
    table(
      ['', ...modes.map((m) => `burst ${m.label}`), 'after an idle collection / back to back'],
      kinds.map((kind) => [
        kind.label,
        ...modes.map((mode) => fmtMs(median(of(kind.id, mode.id)))),
        ratioRange(of(kind.id, 'idle'), of(kind.id, 'busy')),
      ]),
    ),
    '',
    `PresizedMap / native Map: ${modes.map((m) => `${m.label} ${ratioRange(of('presized', m.id), of('native', m.id))}`).join('; ')}.`,
  ].join('\n'),
);
