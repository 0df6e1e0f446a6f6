// The V8 table model against the engine it models: on the running Node version, the slowest of a
// sequence of timed Map (and Set) operations must be the one the model says rebuilds the largest table.
// No absolute time is asserted; a rebuild of 2^18+ entries takes milliseconds of CPU, an
// ordinary operation well under a microsecond, so the rebuild dominates the noise (a garbage
// collection landing on one operation, which a retry absorbs).
import {
  applyClear,
  applyDelete,
  emptyTable,
  insertRehashes,
  insertRehashIndices,
  rehashForInsert,
  tableForSize,
  V8_MIN_CAPACITY,
  type V8Rehash,
} from '../../src/native/v8-table-model';

const ATTEMPTS = 5;

type Op = { kind: 'set' | 'delete'; key: number };
/** Map and Set share V8's ordered hash table and its rebuild policy; 'set' stands for `add` on a Set. */
type Collection = 'Map' | 'Set';

/**
 * Runs the ops on a fresh Map, timing each one; returns the index of the slowest. Time is the
 * process's CPU time, not wall time: on a loaded machine the process is descheduled for
 * milliseconds at random, and that is no cost of the operation it interrupts.
 */
function slowestOp(prefill: number, ops: readonly Op[], collection: Collection): number {
  const map = new Map<number, number>();
  const set = new Set<number>();
  const insert = collection === 'Map' ? (key: number) => map.set(key, key) : (key: number) => set.add(key);
  const remove = collection === 'Map' ? (key: number) => map.delete(key) : (key: number) => set.delete(key);
  for (let i = 0; i < prefill; i++) insert(i);
  const times = new Float64Array(ops.length);
  let before = process.cpuUsage();
  for (let i = 0; i < ops.length; i++) {
    const op = ops[i] as Op;
    if (op.kind === 'set') insert(op.key);
    else remove(op.key);
    const after = process.cpuUsage();
    times[i] = after.user - before.user + (after.system - before.system);
    before = after;
  }
  let slowest = 0;
  for (let i = 1; i < times.length; i++) if ((times[i] as number) > (times[slowest] as number)) slowest = i;
  return slowest;
}

/** The ops the model says rebuild the table, after `prefill` inserts into a new map. */
function predictedRebuilds(prefill: number, ops: readonly Op[]): Array<{ index: number; rehash: V8Rehash }> {
  const table = emptyTable();
  const keys = new Set<number>();
  for (let i = 0; i < prefill; i++) {
    if (insertRehashes(table, keys.size)) rehashForInsert(table);
    keys.add(i);
  }
  const rebuilds: Array<{ index: number; rehash: V8Rehash }> = [];
  ops.forEach((op, index) => {
    if (op.kind === 'set') {
      if (keys.has(op.key)) return;
      if (insertRehashes(table, keys.size)) rebuilds.push({ index, rehash: rehashForInsert(table) });
      keys.add(op.key);
    } else if (keys.delete(op.key)) {
      const rehash = applyDelete(table, keys.size);
      if (rehash !== undefined) rebuilds.push({ index, rehash });
    }
  });
  return rebuilds;
}

/** The predicted rebuild that copies the most entries: the one that must be the slowest op. */
function largestRebuild(prefill: number, ops: readonly Op[]): { index: number; rehash: V8Rehash } {
  const rebuilds = predictedRebuilds(prefill, ops);
  expect(rebuilds.length).toBeGreaterThan(0);
  return rebuilds.reduce((a, b) => (b.rehash.oldCapacity > a.rehash.oldCapacity ? b : a));
}

function expectSlowestAt(prefill: number, ops: readonly Op[], predicted: number, collection: Collection): void {
  const observed: number[] = [];
  for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
    const slowest = slowestOp(prefill, ops, collection);
    observed.push(slowest);
    if (slowest === predicted) break;
  }
  expect(observed).toContain(predicted);
}

const range = (from: number, to: number, kind: Op['kind']): Op[] =>
  Array.from({ length: to - from }, (_, i) => ({ kind, key: from + i }));

describe('V8 OrderedHashTable model', () => {
  it('grows a new table at 4, 8, 16, ... entries: the insert of key number 2^k + 1 rebuilds', () => {
    const indices = insertRehashIndices(2 ** 20 + 1);
    expect(indices).toEqual(Array.from({ length: 19 }, (_, i) => 2 ** (i + 2)));
  });

  it('compacts at the same capacity when half the slots hold deleted entries', () => {
    const table = tableForSize(16);
    expect(table.capacity).toBe(16);
    for (let live = 15; live >= 8; live--) expect(applyDelete(table, live)).toBeUndefined();
    expect(table.deleted).toBe(8);
    expect(insertRehashes(table, 8)).toBe(true);
    expect(rehashForInsert(table)).toEqual({ kind: 'compact', oldCapacity: 16, newCapacity: 16 });
    expect(table.deleted).toBe(0);
  });

  it('shrinks to half when a delete leaves fewer than a quarter of the slots live, never below 4', () => {
    const table = tableForSize(64);
    expect(applyDelete(table, 16)).toBeUndefined();
    expect(applyDelete(table, 15)).toEqual({ kind: 'shrink', oldCapacity: 64, newCapacity: 32 });
    const small = tableForSize(1);
    expect(applyDelete(small, 0)).toEqual({ kind: 'shrink', oldCapacity: 4, newCapacity: V8_MIN_CAPACITY });
    applyClear(table);
    expect(table).toEqual({ capacity: V8_MIN_CAPACITY, deleted: 0 });
  });
});

describe.each(['Map', 'Set'] as const)(
  `the model of a %s against V8 ${process.versions.v8} (Node ${process.version})`,
  (collection) => {
    it('the slowest of 2^19 + 64 timed inserts is the predicted rebuild at 2^19 entries', () => {
      const ops = range(0, 2 ** 19 + 64, 'set');
      const predicted = largestRebuild(0, ops);
      expect(predicted.index).toBe(2 ** 19);
      expect(predicted.rehash).toEqual({ kind: 'grow', oldCapacity: 2 ** 19, newCapacity: 2 ** 20 });
      expectSlowestAt(0, ops, predicted.index, collection);
    });

    it('the slowest of a run of deletes from 2^20 entries is the predicted shrink below 2^18 live', () => {
      const ops = range(0, 2 ** 20 - 2 ** 17, 'delete');
      const predicted = largestRebuild(2 ** 20, ops);
      expect(predicted.rehash).toEqual({ kind: 'shrink', oldCapacity: 2 ** 20, newCapacity: 2 ** 19 });
      expect(2 ** 20 - 1 - predicted.index).toBe(2 ** 18 - 1);
      expectSlowestAt(2 ** 20, ops, predicted.index, collection);
    });

    it('after deleting half of a full 2^19 table, the first new key compacts it at the same capacity', () => {
      const ops = [...range(0, 2 ** 18, 'delete'), ...range(2 ** 19, 2 ** 19 + 1024, 'set')];
      const predicted = largestRebuild(2 ** 19, ops);
      expect(predicted).toEqual({
        index: 2 ** 18,
        rehash: { kind: 'compact', oldCapacity: 2 ** 19, newCapacity: 2 ** 19 },
      });
      expectSlowestAt(2 ** 19, ops, predicted.index, collection);
    });
  },
);
