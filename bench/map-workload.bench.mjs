// The incident's workload: a cache of the last 10 log lines per device meets 120,000 devices.
// Each variant runs in a fresh process of its own (same heap state at the start, no type feedback
// shared between map kinds), and each write is timed.
import { PresizedMap, appendBounded } from '@presize/map';
import { inFreshProcess, measureOrCompare } from './fresh-process.mjs';
import { INCIDENT, logLines } from './incident.mjs';
import { interleaved, medianOf } from './interleave.mjs';
import {
  GcPauses,
  deviceKeys,
  fmtBytes,
  fmtInt,
  fmtMs,
  fmtRatio,
  measureAllocation,
  median,
  medianInterval,
  now,
  percentileOfSorted,
  progress,
  quick,
  quiesce,
  settle,
  shuffled,
  table,
  usedBytes,
  verdict,
  writeReport,
} from './lib.mjs';

const { devices: DEVICES, keptLines: KEPT } = INCIDENT;
/** Each device writes half again as many lines as are kept, so a third of the writes overwrite old lines. */
const WRITES_PER_DEVICE = KEPT + KEPT / 2;
const REPEATS = quick() ? 1 : 7;

const variants = {
  'presized-5000': {
    label: `PresizedMap, hint ${fmtInt(INCIDENT.hint)} + BoundedList`,
    write: (map, key, line) => appendBounded(map, key, line, KEPT),
    create: () => new PresizedMap({ hint: INCIDENT.hint, name: 'device-logs' }),
  },
  'presized-150000': {
    label: 'PresizedMap, hint 150,000 + BoundedList',
    write: (map, key, line) => appendBounded(map, key, line, KEPT),
    create: () => new PresizedMap({ hint: 150_000, name: 'device-logs' }),
  },
  'native-reslice': {
    label: 'native Map + re-sliced arrays (the incident code)',
    // Go's `logs = append(logs, line); if len(logs) > 10 { logs = logs[len(logs)-10:] }`, in arrays.
    write: (map, key, line) => map.set(key, [...(map.get(key) ?? []), line].slice(-KEPT)),
    create: () => new Map(),
  },
  'native-bounded': {
    label: 'native Map + BoundedList',
    write: (map, key, line) => appendBounded(map, key, line, KEPT),
    create: () => new Map(),
  },
};

async function runVariant(id) {
  const variant = variants[id];
  const devices = deviceKeys(DEVICES, 0x5eed);
  // Devices report in no fixed order: every round visits them in an order of its own. Replaying
  // one order would walk a native Map's insertion-ordered memory sequentially every round.
  const orders = Array.from({ length: WRITES_PER_DEVICE }, (_, round) => shuffled(devices, 11 + round));
  const lines = logLines(4096);
  const total = DEVICES * WRITES_PER_DEVICE;
  const durations = new Float64Array(total);
  const { write } = variant;
  const gcPauses = new GcPauses();
  settle();
  await quiesce();
  const heapBefore = usedBytes();
  const map = variant.create();
  const from = now();
  const { allocatedBytes } = measureAllocation(() => {
    let op = 0;
    for (let round = 0; round < WRITES_PER_DEVICE; round++) {
      const order = orders[round];
      for (let d = 0; d < DEVICES; d++) {
        const t0 = performance.now();
        write(map, order[d], lines[op & 4095]);
        durations[op++] = performance.now() - t0;
      }
    }
  });
  const to = now();
  const { gcPauseMs, gcCount } = await gcPauses.during(from, to);
  gcPauses.stop();
  const kept = map.get(devices[0]).length;
  if (map.size !== DEVICES || kept !== KEPT)
    throw new Error(`${variant.label}: ${map.size} devices, ${kept} lines kept`);
  settle();
  const held = usedBytes() - heapBefore;
  const sorted = durations.sort();
  return {
    p50: percentileOfSorted(sorted, 50),
    p99: percentileOfSorted(sorted, 99),
    max: sorted[sorted.length - 1],
    totalMs: to - from,
    gcPauseMs,
    gcCount,
    allocatedBytes,
    heldBytes: held,
    growths: map instanceof PresizedMap ? map.stats().growths : undefined,
  };
}

async function compare() {
  const results = await interleaved(Object.keys(variants), REPEATS, (id, r) => {
    const result = inFreshProcess(import.meta.url, id);
    progress(
      `run ${r + 1}/${REPEATS} ${variants[id].label}: p99 ${fmtMs(result.p99)}, max ${fmtMs(result.max)}, GC ${fmtMs(result.gcPauseMs)}`,
    );
    return result;
  });
  const m = medianOf(results);
  const base = 'native-reslice';
  const row = (id) => [
    variants[id].label,
    fmtMs(m(id, 'p50')),
    fmtMs(m(id, 'p99')),
    fmtMs(m(id, 'max')),
    `${fmtMs(m(id, 'gcPauseMs'))} (${fmtInt(m(id, 'gcCount'))})`,
    fmtBytes(m(id, 'allocatedBytes')),
    fmtBytes(m(id, 'heldBytes')),
    fmtMs(m(id, 'totalMs')),
    results[id][0].growths === undefined ? '' : fmtInt(m(id, 'growths')),
  ];
  const ratio = (id, field) => fmtRatio(m(base, field) / m(id, field));
  // The target: PresizedMap + BoundedList at or below native Map + BoundedList on each figure.
  const peer = 'native-bounded';
  // Each round runs every variant once, in a process of its own: a ratio pairs the two of one
  // round, and the verdict takes the median over the rounds, with the range that holds it with
  // 95 % probability beside it, since runs of one variant differ by more than the variants do.
  const againstPeer = (id, field) => {
    const ratios = results[id].map((result, round) => result[field] / results[peer][round][field]);
    const ratio = median(ratios);
    const [low, high] = medianInterval(ratios);
    return `${fmtRatio(ratio)} (${fmtRatio(low)} to ${fmtRatio(high)}): ${verdict(ratio <= 1)}`;
  };
  writeReport(
    [
      `## The incident workload: ${fmtInt(DEVICES)} devices, last ${KEPT} log lines each`,
      '',
      `${fmtInt(DEVICES)} device keys; each device writes ${WRITES_PER_DEVICE} log lines (rounds over all devices, each`,
      `round in a fresh shuffled order, ${fmtInt(DEVICES * WRITES_PER_DEVICE)} writes), the map keeps the last ${KEPT} per device. Every`,
      'variant runs in a fresh process; median of ' + `${REPEATS} runs. GC pauses from perf_hooks 'gc' entries; bytes`,
      'allocated = heap growth plus what the collections reclaimed (v8.GCProfiler); held = heap after a full GC.',
      '',
      table(
        [
          'variant',
          'write p50',
          'write p99',
          'write max',
          'GC pauses (count)',
          'allocated',
          'held',
          'wall time',
          'growths',
        ],
        Object.keys(variants).map(row),
      ),
      '',
      'Against the incident code (native Map + re-sliced arrays), how many times better:',
      '',
      table(
        ['variant', 'write p99', 'write max', 'GC pause total', 'bytes allocated'],
        Object.keys(variants)
          .filter((id) => id !== base)
          .map((id) => [
            variants[id].label,
            ratio(id, 'p99'),
            ratio(id, 'max'),
            ratio(id, 'gcPauseMs'),
            ratio(id, 'allocatedBytes'),
          ]),
      ),
      '',
      'Target: PresizedMap + BoundedList at or below native Map + BoundedList (ratio PresizedMap / native, ≤ 1.00×; the',
      "median over the rounds of the ratio of a round's two runs, and in brackets the range that holds it with 95 %",
      'probability):',
      '',
      table(
        ['variant', 'write p99', 'write max', 'GC pause total'],
        ['presized-5000', 'presized-150000'].map((id) => [
          variants[id].label,
          againstPeer(id, 'p99'),
          againstPeer(id, 'max'),
          againstPeer(id, 'gcPauseMs'),
        ]),
      ),
    ].join('\n'),
  );
}

await measureOrCompare(runVariant, compare);
