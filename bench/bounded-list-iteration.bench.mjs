// Reading every value of many short bounded lists ("the last 10 log lines of each device"), with
// for...of: a BoundedList against an array holding the same values (what `slice(-10)` code keeps),
// and against BoundedList's previous iterator, a generator (bench/baseline). Each kind runs in
// processes of its own, the kinds alternating: in one process, arrays read after the generator
// kind had run took ten times as long and allocated per read, where alone they allocate nothing.
import { BoundedList } from '@presize/map';
import { GeneratorBoundedList } from './baseline/generator-bounded-list.mjs';
import { inFreshProcess, measureOrCompare } from './fresh-process.mjs';
import { fmtBytes, fmtRatio, measureAllocation, median, now, progress, quick, table, writeReport } from './lib.mjs';

const LISTS = quick() ? 1_000 : 10_000;
const CAPACITY = 10;
const PUSHES = 15;
const PASSES = quick() ? 5 : 50;
const PROCESSES = quick() ? 2 : 7;
const KINDS = {
  bounded: 'BoundedList',
  generator: 'BoundedList with a generator iterator (before)',
  array: 'array of the same values',
};

function readAll(lists, passes) {
  let sum = 0;
  for (let p = 0; p < passes; p++) {
    for (let i = 0; i < lists.length; i++) for (const value of lists[i]) sum = (sum + value) | 0;
  }
  return sum;
}

function listsOf(kind) {
  const List = kind === 'generator' ? GeneratorBoundedList : BoundedList;
  const lists = Array.from({ length: LISTS }, (_, j) => {
    const list = new List(CAPACITY);
    for (let i = 0; i < PUSHES; i++) list.push(i + j);
    return list;
  });
  return kind === 'array' ? lists.map((list) => list.toArray()) : lists;
}

/** In a process of its own: warms the loop up, then times passes and counts one pass's bytes. */
function measure(kind) {
  const lists = listsOf(kind);
  for (let w = 0; w < 10; w++) readAll(lists, 1);
  const t0 = now();
  const sum = readAll(lists, PASSES);
  const ns = ((now() - t0) * 1e6) / (LISTS * CAPACITY * PASSES);
  const bytes = measureAllocation(() => readAll(lists, 1)).allocatedBytes / LISTS;
  return { ns, bytes, sum };
}

async function compare() {
  const runs = Object.fromEntries(Object.keys(KINDS).map((kind) => [kind, []]));
  for (let p = 0; p < PROCESSES; p++) {
    for (const kind of Object.keys(KINDS)) runs[kind].push(inFreshProcess(import.meta.url, kind));
    if (new Set(Object.values(runs).map((r) => r.at(-1).sum)).size !== 1)
      throw new Error('the kinds read other values');
    progress(
      `process ${p + 1}/${PROCESSES}: ${Object.keys(KINDS)
        .map((k) => `${k} ${runs[k].at(-1).ns.toFixed(2)} ns`)
        .join(', ')}`,
    );
  }
  const ns = (kind) => median(runs[kind].map((r) => r.ns));
  const bytes = (kind) => median(runs[kind].map((r) => r.bytes));
  writeReport(
    [
      '## Reading bounded lists',
      '',
      `${LISTS.toLocaleString('en-US')} lists of ${CAPACITY} values (each wrapped once: ${PUSHES} pushes), every value read with`,
      `for...of, ${PASSES} passes after a warm-up; median of ${PROCESSES} processes per kind, the kinds alternating. Bytes:`,
      'what one pass allocates (heap growth plus what collections reclaimed), per list read.',
      '',
      table(
        ['', 'ns per value', 'bytes per list read', 'time against the array'],
        Object.entries(KINDS).map(([kind, label]) => [
          label,
          ns(kind).toFixed(2),
          fmtBytes(bytes(kind)),
          fmtRatio(ns(kind) / ns('array')),
        ]),
      ),
      '',
      `BoundedList against its generator before: ${fmtRatio(ns('generator') / ns('bounded'))} as fast.`,
    ].join('\n'),
  );
}

await measureOrCompare(measure, compare);
