import fc from 'fast-check';
import { BoundedList, appendBounded, MAX_BOUNDED_CAPACITY } from '../src/bounded-list.js';
import { PresizedMap } from '../src/presized-map.js';
import { ShardedMap } from '../src/sharded-map.js';

type Op =
  | { kind: 'push'; value: number }
  | { kind: 'clear' }
  | { kind: 'at'; index: number }
  | { kind: 'iterate'; pushesDuring: number[]; after: number };

const opArb: fc.Arbitrary<Op> = fc.oneof(
  { weight: 8, arbitrary: fc.integer().map((value) => ({ kind: 'push' as const, value })) },
  { weight: 1, arbitrary: fc.constant({ kind: 'clear' as const }) },
  { weight: 2, arbitrary: fc.integer({ min: -20, max: 20 }).map((index) => ({ kind: 'at' as const, index })) },
  {
    weight: 2,
    arbitrary: fc.record({
      kind: fc.constant('iterate' as const),
      pushesDuring: fc.array(fc.integer(), { maxLength: 12 }),
      after: fc.nat({ max: 12 }),
    }),
  },
);

describe('BoundedList against an array model kept with slice(-capacity)', () => {
  test('random pushes, clears, reads and iterations', () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 9 }), fc.array(opArb, { maxLength: 120 }), (capacity, ops) => {
        const list = new BoundedList<number>(capacity);
        let model: number[] = [];
        for (const op of ops) {
          switch (op.kind) {
            case 'push': {
              model = [...model, op.value].slice(-capacity);
              expect(list.push(op.value)).toBe(model.length);
              break;
            }
            case 'clear':
              list.clear();
              model = [];
              break;
            case 'at':
              expect(list.at(op.index)).toBe(model.at(op.index));
              break;
            case 'iterate': {
              // Pushes made after `after` values were read: the iterator must yield, in order, each
              // value that is still held when it gets there, values pushed meanwhile included.
              const seen: number[] = [];
              let sequence = model.map((value, i) => ({ value, id: i }));
              let nextId = model.length;
              const it = list[Symbol.iterator]();
              let position = 0;
              for (;;) {
                if (seen.length === op.after) {
                  for (const value of op.pushesDuring) {
                    list.push(value);
                    sequence = [...sequence, { value, id: nextId++ }].slice(-capacity);
                    model = [...model, value].slice(-capacity);
                  }
                }
                const r = it.next();
                const expected = sequence.find((e) => e.id >= position);
                if (expected === undefined) {
                  expect(r.done).toBe(true);
                  break;
                }
                expect(r.done).toBe(false);
                expect(r.value).toBe(expected.value);
                seen.push(r.value as number);
                position = expected.id + 1;
              }
              break;
            }
          }
          expect(list.length).toBe(model.length);
          expect(list.full).toBe(model.length === capacity);
          expect(list.toArray()).toEqual(model);
          expect([...list]).toEqual(model);
        }
      }),
    );
  });
});

describe('BoundedList', () => {
  test('keeps the newest values oldest first once it wraps', () => {
    const list = new BoundedList<string>(3);
    for (const line of ['a', 'b', 'c', 'd', 'e']) list.push(line);
    expect(list.toArray()).toEqual(['c', 'd', 'e']);
    expect(list.at(0)).toBe('c');
    expect(list.at(-1)).toBe('e');
    expect(list.capacity).toBe(3);
    expect(Object.prototype.toString.call(list)).toBe('[object BoundedList]');
  });

  test('clear releases the values it held', () => {
    const list = new BoundedList<object>(2);
    list.push({});
    list.push({});
    list.clear();
    expect(list.length).toBe(0);
    expect([...list]).toEqual([]);
    list.push({ again: true });
    expect(list.toArray()).toEqual([{ again: true }]);
  });

  test("an ended iterator stays ended, and iterators are iterators like an array's", () => {
    const list = new BoundedList<number>(3);
    list.push(1);
    const it = list[Symbol.iterator]();
    expect(it.next()).toEqual({ value: 1, done: false });
    expect(it.next()).toEqual({ value: undefined, done: true });
    list.push(2);
    expect(it.next()).toEqual({ value: undefined, done: true });
    expect(it[Symbol.iterator]()).toBe(it);
    const iteratorPrototype = Object.getPrototypeOf(Object.getPrototypeOf([][Symbol.iterator]())) as object;
    expect(Object.getPrototypeOf(Object.getPrototypeOf(it))).toBe(iteratorPrototype);
    expect(Object.prototype.toString.call(it)).toBe('[object BoundedList Iterator]');
    // An iterator made before pushes starts at the oldest value held when it is first read.
    const early = list[Symbol.iterator]();
    for (const value of [3, 4, 5]) list.push(value);
    expect([...early]).toEqual([3, 4, 5]);
  });

  test.each([0, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY, MAX_BOUNDED_CAPACITY + 1])(
    'rejects capacity %p with a RangeError naming it',
    (capacity) => {
      expect(() => new BoundedList(capacity)).toThrow(RangeError);
      expect(() => new BoundedList(capacity)).toThrow(String(capacity));
    },
  );
});

describe('appendBounded', () => {
  test('creates one list per key and keeps the last values of each', () => {
    const logs = new Map<string, BoundedList<number>>();
    const model = new Map<string, number[]>();
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.constantFrom('dev_a', 'dev_b', 'dev_c'), fc.integer())), (writes) => {
        logs.clear();
        model.clear();
        for (const [device, line] of writes) {
          const list = appendBounded(logs, device, line, 4);
          model.set(device, [...(model.get(device) ?? []), line].slice(-4));
          expect(list).toBe(logs.get(device));
        }
        expect(new Map([...logs].map(([k, v]) => [k, v.toArray()]))).toEqual(model);
      }),
    );
  });

  test.each([
    ['PresizedMap', () => new PresizedMap<string, BoundedList<number>>({ hint: 5, seed: 1 })],
    ['ShardedMap', () => new ShardedMap<string, BoundedList<number>>({ shards: 4, seed: 1 })],
  ])('works on a %s, through its growths', (_name, create) => {
    const logs = create();
    for (let round = 0; round < 15; round++) {
      for (let device = 0; device < 300; device++) appendBounded(logs, `dev_${device}`, round * 1000 + device, 10);
    }
    expect(logs.size).toBe(300);
    for (let device = 0; device < 300; device++) {
      expect(logs.get(`dev_${device}`)?.toArray()).toEqual(
        Array.from({ length: 10 }, (_, i) => (i + 5) * 1000 + device),
      );
    }
  });

  test('rejects a bad capacity even when the key already has a list, and changes nothing', () => {
    const logs = new Map<string, BoundedList<string>>();
    appendBounded(logs, 'dev_1', 'boot', 10);
    expect(() => appendBounded(logs, 'dev_1', 'lost?', 0)).toThrow(/got 0/);
    expect(() => appendBounded(logs, 'dev_2', 'lost?', -3)).toThrow(/got -3/);
    expect(logs.get('dev_1')?.toArray()).toEqual(['boot']);
    expect(logs.has('dev_2')).toBe(false);
  });
});
