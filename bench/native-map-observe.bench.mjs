// What the zero-code native Map and Set mode (PRESIZE_NATIVE_MAPS=observe) costs a Map-heavy workload,
// in five setups, each a fresh process:
//   plain        no Presize code loaded: the engine's Map.prototype.set
//   otel         an OpenTelemetry SDK (pull metric reader, batch span processor) and no Presize: the
//                process a service with OpenTelemetry on is before it observes anything
//   loaded       @presize/instrumentation imported, nothing installed: what the package's own heap
//                costs the collector (nothing in a run that collects no old generation; the
//                whole-run instruction counts show it in the bench's forced collections)
//   observe      installNativeMapObserver() (default threshold 65,536 entries), nothing subscribed
//                to the map channels: maps below the threshold pay one size comparison per set(),
//                maps past it are found and then carry their own set/delete/clear
//   observe+otel the same, with the SDK of *otel* and PresizedMapInstrumentation enabled, so every
//                rebuild of a found map is timed and reported
// Three workloads, timed apart: many short-lived small maps (request-scoped lookups: set, get, has,
// delete); one large map that grows past the threshold to 300,000 keys, is read, half deleted
// and refilled; the same on one large Set. Each process warms up, then keeps its best CPU time (user + system) of three runs.
// The setups run in rounds, in rotating order, and every process of a round gets the same V8 hash
// seed (a new one each round), so that a round's processes build the same tables. A ratio is the
// median over rounds of that round's plain (or otel) time over the setup's. Processes of one setup
// still differ by more than the wrappers cost (on this 2-core machine, idle, up to 2× on the large
// set), so one more process measures plain and observe in turn, installing and uninstalling the
// observer, and, where valgrind is installed, cachegrind counts the instructions a run of each
// large workload executes in each setup, the collector's included: a count does not move with the
// machine.
//
//   node --expose-gc bench/native-map-observe.bench.mjs      the comparison, as npm run bench
import { inFreshProcess, measureOrCompare } from './fresh-process.mjs';
import { cachegrindAvailable, countInstructions } from './instructions.mjs';
import { interleaved, medianOf, rotation } from './interleave.mjs';
import {
  cpuTimed,
  deviceKeys,
  fmtInt,
  fmtMs,
  median,
  medianInterval,
  progress,
  quick,
  table,
  writeReport,
} from './lib.mjs';

const SMALL_ROUNDS = quick() ? 20_000 : 200_000;
const LARGE_KEYS = quick() ? 100_000 : 300_000;
const RUNS = quick() ? 2 : 21;
const MEASURED_PER_RUN = 3;
const SETUPS = ['plain', 'otel', 'loaded', 'observe', 'observe+otel'];
/** The run counts whose difference is one run's instructions under cachegrind. */
const COUNTED_RUNS = [3, 6];
/** Turns of each mode in the one process that alternates plain and observed. */
const ALTERNATIONS = quick() ? 2 : 6;
/** Map operations one round of the small-map workload performs. */
const SMALL_OPS_PER_ROUND = 16 + 32 + 8 + 6;

function smallMaps(rounds) {
  let sink = 0;
  for (let r = 0; r < rounds; r++) {
    const m = new Map();
    for (let i = 0; i < 16; i++) m.set(i, r + i);
    for (let i = 0; i < 32; i++) sink += m.get(i & 15);
    // Multiples of 3 below 24: 0..15 holds six of them.
    for (let i = 0; i < 8; i++) if (m.has(i * 3)) m.delete(i * 3);
    sink += m.size;
  }
  return sink;
}

function largeMap(keys) {
  const m = new Map();
  let sink = 0;
  for (let i = 0; i < keys.length; i++) m.set(keys[i], i);
  for (let i = 0; i < keys.length; i++) sink += m.get(keys[i]);
  for (let i = 0; i < keys.length; i += 2) m.delete(keys[i]);
  for (let i = 0; i < keys.length; i += 2) m.set(keys[i], i);
  return sink + m.size;
}
const largeOps = (n) => n + n + n / 2 + n / 2;

/** The large-map workload on a native Set: the same V8 table, observed the same way. */
function largeSet(keys) {
  const s = new Set();
  let sink = 0;
  for (let i = 0; i < keys.length; i++) s.add(keys[i]);
  for (let i = 0; i < keys.length; i++) if (s.has(keys[i])) sink++;
  for (let i = 0; i < keys.length; i += 2) s.delete(keys[i]);
  for (let i = 0; i < keys.length; i += 2) s.add(keys[i]);
  return sink + s.size;
}

/** The OpenTelemetry SDK as a service sets it up: a pull metric reader and a batch span processor. */
async function openTelemetry() {
  const { MeterProvider, MetricReader } = await import('@opentelemetry/sdk-metrics');
  const { BasicTracerProvider, BatchSpanProcessor, InMemorySpanExporter } =
    await import('@opentelemetry/sdk-trace-base');
  class PullReader extends MetricReader {
    async onForceFlush() {}
    async onShutdown() {}
  }
  const spans = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({ spanProcessors: [new BatchSpanProcessor(spans)] });
  return { meterProvider: new MeterProvider({ readers: [new PullReader()] }), tracerProvider, spans };
}

async function prepare(setup) {
  if (setup === 'plain') return () => ({});
  if (setup === 'otel') {
    await openTelemetry();
    return () => ({});
  }
  const presize = await import('@presize/instrumentation');
  if (setup === 'loaded') return () => ({});
  presize.installNativeMapObserver();
  if (setup === 'observe') return () => ({});
  const { meterProvider, tracerProvider, spans } = await openTelemetry();
  const instrumentation = new presize.PresizedMapInstrumentation();
  instrumentation.setMeterProvider(meterProvider);
  instrumentation.setTracerProvider(tracerProvider);
  return async () => {
    await tracerProvider.forceFlush();
    return {
      rehashSpans: spans.getFinishedSpans().filter((s) => s.attributes['presize.map.growth.kind'] === 'v8_rehash')
        .length,
    };
  };
}

/** The best CPU time of `run` over the measured runs. */
async function bestCpuMs(run) {
  let best = Infinity;
  for (let i = 0; i < MEASURED_PER_RUN; i++) best = Math.min(best, (await cpuTimed(run, { quiesced: true })).cpuMs);
  return best;
}

/** A copy of `fn` compiled on its own: its own type feedback and optimised code. */
const ownCopy = (fn) => new Function(`return ${fn.toString()}`)();

/**
 * Plain and observed in one process, in turn: the observer installed and uninstalled, each mode
 * with its own copies of the workloads (a shared copy would see both the engine's methods and the
 * wrappers at its call sites). What the process, its heap layout and the machine's moment add to
 * one process's times, they add to both modes.
 */
async function alternating() {
  const presize = await import('@presize/instrumentation');
  const keys = deviceKeys(LARGE_KEYS, 0x5eed);
  const warmKeys = deviceKeys(LARGE_KEYS / 2, 0xbeef);
  const modes = {
    plain: { map: ownCopy(largeMap), set: ownCopy(largeSet), large: [], sets: [] },
    observe: { map: ownCopy(largeMap), set: ownCopy(largeSet), large: [], sets: [] },
  };
  let observer;
  for (let turn = 0; turn < ALTERNATIONS; turn++) {
    for (const name of rotation(['plain', 'observe'], turn)) {
      const mode = modes[name];
      if (name === 'observe') observer = presize.installNativeMapObserver();
      else observer?.uninstall();
      // Installing and uninstalling discards code compiled for the other mode: compile again first.
      for (const fn of [mode.map, mode.set]) for (let i = 0; i < 2; i++) fn(warmKeys);
      mode.large.push(await bestCpuMs(() => mode.map(keys)));
      mode.sets.push(await bestCpuMs(() => mode.set(keys)));
    }
  }
  observer?.uninstall();
  const ratio = (field) => median(modes.plain[field].map((plain, i) => plain / modes.observe[field][i]));
  return { setup: 'alternating', large: ratio('large'), set: ratio('sets') };
}

/**
 * Under cachegrind: `runs` runs of one large workload after one to compile it, each in a job of its
 * own after a full collection, as the timed runs are.
 */
async function countedRuns(variant) {
  const [, setup, workload, runs] = variant.split(':');
  await prepare(setup);
  const run = workload === 'map' ? largeMap : largeSet;
  const keys = deviceKeys(LARGE_KEYS, 0x5eed);
  run(deviceKeys(LARGE_KEYS / 2, 0xbeef));
  let sink = 0;
  for (let i = 0; i < Number(runs); i++) sink += (await cpuTimed(() => run(keys))).result;
  return { sink };
}

/**
 * Instructions one run of each large workload executes in each setup: a process of 6 runs minus
 * one of 3, over 3, so that start-up, key creation and compilation cancel out.
 */
async function instructionsPerRun() {
  const variants = SETUPS.flatMap((setup) =>
    ['map', 'set'].flatMap((workload) => COUNTED_RUNS.map((runs) => `instructions:${setup}:${workload}:${runs}`)),
  );
  const counts = new Map();
  // Two at a time: the counts do not depend on what else runs, and the machine has two cores.
  for (let i = 0; i < variants.length; i += 2) {
    const pair = variants.slice(i, i + 2);
    const results = await Promise.all(
      pair.map((variant) => countInstructions(import.meta.url, variant, [`--hash-seed=${hashSeed(0)}`])),
    );
    pair.forEach((variant, j) => counts.set(variant, results[j]));
    progress(`cachegrind: ${pair.join(', ')} counted`);
  }
  const [few, many] = COUNTED_RUNS;
  const perRun = (setup, workload, field) =>
    (counts.get(`instructions:${setup}:${workload}:${many}`)[field] -
      counts.get(`instructions:${setup}:${workload}:${few}`)[field]) /
    (many - few);
  return Object.fromEntries(
    SETUPS.map((setup) => [
      setup,
      Object.fromEntries(
        ['map', 'set'].map((workload) => [
          workload,
          {
            compiled: perRun(setup, workload, 'compiled') + perRun(setup, workload, 'builtins'),
            total: perRun(setup, workload, 'total'),
          },
        ]),
      ),
    ]),
  );
}

async function worker(setup) {
  if (setup === 'alternating') return alternating();
  if (setup.startsWith('instructions:')) return countedRuns(setup);
  const report = await prepare(setup);
  const keys = deviceKeys(LARGE_KEYS, 0x5eed);
  smallMaps(SMALL_ROUNDS / 4);
  largeMap(deviceKeys(LARGE_KEYS / 2, 0xbeef));
  largeSet(deviceKeys(LARGE_KEYS / 2, 0xbeef));
  const small = await bestCpuMs(() => smallMaps(SMALL_ROUNDS));
  const large = await bestCpuMs(() => largeMap(keys));
  const set = await bestCpuMs(() => largeSet(keys));
  return { setup, small, large, set, ...(await report()) };
}

/** The hash seed of round `round`: fixed per round, so that reruns of the bench compare the same layouts. */
const hashSeed = (round) => 0x5eed + round * 7919;

/** The instruction counts as a table, or why there are none. */
function instructionReport(instructions) {
  if (instructions === undefined)
    return ['Instruction counts: not measured, valgrind is not installed (Debian: `apt-get install valgrind`).'];
  const cell = (setup, workload, field) => {
    const count = instructions[setup][workload][field];
    const millions = `${(count / 1e6).toFixed(1)} M`;
    return setup === 'plain' ? millions : `${millions} (${(instructions.plain[workload][field] / count).toFixed(3)})`;
  };
  const ratio = (setup, base, workload) =>
    (instructions[base][workload].total / instructions[setup][workload].total).toFixed(3);
  return [
    "Instructions one run executes, counted by valgrind's cachegrind (`node --predictable`: the collector and the",
    `compiler on the main thread; hash seed ${hashSeed(0)}; a process of ${COUNTED_RUNS[1]} runs minus one of ${COUNTED_RUNS[0]}, over ${COUNTED_RUNS[1] - COUNTED_RUNS[0]}): the same on every`,
    'run of the bench, whatever else the machine does. *Compiled code and builtins*: the code V8 compiled from',
    "JavaScript and the engine's builtins it calls (`Map.prototype.set` among them), where the wrappers' own",
    "instructions are. *Whole run*: the process's every instruction, the table rebuilds and the collections",
    'included, among them the two full collections the bench forces before each run, which mark the whole',
    "heap, the packages a setup loaded with it. In brackets, plain's count over the setup's.",
    '',
    table(
      [
        'Setup',
        'Large map: compiled code and builtins',
        'whole run',
        'Large set: compiled code and builtins',
        'whole run',
      ],
      SETUPS.map((setup) => [
        setup,
        cell(setup, 'map', 'compiled'),
        cell(setup, 'map', 'total'),
        cell(setup, 'set', 'compiled'),
        cell(setup, 'set', 'total'),
      ]),
    ),
    '',
    `Whole run, observe+otel against otel (the same SDK, without Presize): large map ${ratio('observe+otel', 'otel', 'map')},`,
    `large set ${ratio('observe+otel', 'otel', 'set')}; loaded against plain: ${ratio('loaded', 'plain', 'map')} and ${ratio('loaded', 'plain', 'set')}.`,
  ];
}

async function compare() {
  const runs = await interleaved(SETUPS, RUNS, (setup, i) => {
    const result = inFreshProcess(import.meta.url, setup, [`--hash-seed=${hashSeed(i)}`]);
    progress(
      `${setup} run ${i + 1}/${RUNS}: small ${fmtMs(result.small)}, large map ${fmtMs(result.large)}, large set ${fmtMs(result.set)} CPU`,
    );
    return result;
  });
  const smallOps = SMALL_ROUNDS * SMALL_OPS_PER_ROUND;
  const bigOps = largeOps(LARGE_KEYS);
  const med = medianOf(runs);
  const ratio = (setup, field, base = 'plain') => {
    if (setup === base) return '1.000';
    const values = runs[setup].map((run, i) => runs[base][i][field] / run[field]);
    const [low, high] = medianInterval(values);
    return `${median(values).toFixed(3)} (${low.toFixed(3)} to ${high.toFixed(3)})`;
  };
  const rows = SETUPS.map((setup) => [
    setup,
    fmtMs(med(setup, 'small')),
    `${fmtInt(smallOps / (med(setup, 'small') / 1000))}`,
    ratio(setup, 'small'),
    fmtMs(med(setup, 'large')),
    `${fmtInt(bigOps / (med(setup, 'large') / 1000))}`,
    ratio(setup, 'large'),
    fmtMs(med(setup, 'set')),
    `${fmtInt(bigOps / (med(setup, 'set') / 1000))}`,
    ratio(setup, 'set'),
  ]);
  const otel = runs['observe+otel'][0];
  const inOneProcess = inFreshProcess(import.meta.url, 'alternating');
  progress(
    `alternating in one process: large map ${inOneProcess.large.toFixed(3)}, large set ${inOneProcess.set.toFixed(3)} of plain`,
  );
  const instructions = cachegrindAvailable() ? await instructionsPerRun() : undefined;
  writeReport(
    [
      '## Native Map and Set observation (zero-code mode)',
      '',
      `*Small maps*: ${fmtInt(SMALL_ROUNDS)} short-lived maps of 16 entries, ${SMALL_OPS_PER_ROUND} operations each`,
      `(16 set, 32 get, 8 has, 6 delete), ${fmtInt(smallOps)} operations. *Large map*: one map filled to`,
      `${fmtInt(LARGE_KEYS)} string keys (found at 65,536 entries, then rebuilt twice), read once, half`,
      `deleted and refilled: ${fmtInt(bigOps)} operations. *Large set*: the same on a native \`Set\` (add, has, delete).`,
      `Each process keeps its best CPU time of ${MEASURED_PER_RUN} runs; ${RUNS} rounds of one process per setup, every process`,
      'of a round on the same V8 hash seed (`--hash-seed`, a new one each round). CPU: median over rounds.',
      `*observe+otel* reported ${otel.rehashSpans} \`v8_rehash\``,
      'spans per process. *otel* sets up the same OpenTelemetry SDK without Presize. *loaded* imports',
      '`@presize/instrumentation` and installs nothing: its row is what a larger heap alone costs the collector.',
      "*vs plain*: the median over rounds of plain's CPU time over the setup's, that is throughput relative to *plain*",
      '(1.000 = no cost, 0.950 = 5 % slower); in brackets, the range that holds that median with 95 % probability',
      '(bootstrap over the rounds): what the CPU times can tell apart.',
      '',
      table(
        [
          'Setup',
          'Small maps CPU',
          'ops per CPU-s',
          'vs plain',
          'Large map CPU',
          'ops per CPU-s',
          'vs plain',
          'Large set CPU',
          'ops per CPU-s',
          'vs plain',
        ],
        rows,
      ),
      '',
      `What the observation costs a service that has OpenTelemetry on, observe+otel against otel: small maps`,
      `${ratio('observe+otel', 'small', 'otel')}, large map ${ratio('observe+otel', 'large', 'otel')}, large set ${ratio('observe+otel', 'set', 'otel')}.`,
      '',
      '`get`, `has` and iteration are never wrapped; a small map pays a size comparison per `set` and `delete`. Processes of one',
      'setup can differ by more than the wrappers cost, so the large workloads were also measured in one process, plain and',
      `observed in turn (the observer installed and uninstalled, each mode with its own copy of the workload; median over ${ALTERNATIONS}`,
      `turns of the ratio of best CPU times of ${MEASURED_PER_RUN} runs): observed large map`,
      `${inOneProcess.large.toFixed(3)} of plain, observed large set ${inOneProcess.set.toFixed(3)}.`,
      '',
      ...instructionReport(instructions),
    ].join('\n'),
  );
}

await measureOrCompare(worker, compare);
