// Bucket arrays of 4 MiB or more come from a shared WebAssembly memory (fresh pages, never cleared
// by the C library's allocator); smaller ones, and every one where WebAssembly is missing or
// refuses, from a SharedArrayBuffer. Each case loads its own copy of the map's modules, after
// replacing `WebAssembly.Memory`, which the bucket array reads when its module loads.
import { FRESH_PAGES_FROM, GROWN, ROW_BYTES, typedBucketsFor } from '../../src/bucket-array.js';
import type { PresizedMap } from '../../src/presized-map.js';

type MapClass = typeof PresizedMap;
type MemoryDescriptor = { initial: number; maximum: number; shared: boolean };
const wasm = globalThis as unknown as {
  WebAssembly?: { Memory: new (d: MemoryDescriptor) => { buffer: ArrayBuffer } };
};
const RealMemory = wasm.WebAssembly!.Memory;

/** The map class of a fresh copy of the package, loaded while `Memory` stands for `WebAssembly.Memory` (absent when undefined). */
function loadWith(Memory: (new (d: MemoryDescriptor) => { buffer: ArrayBuffer }) | undefined): MapClass {
  const saved = wasm.WebAssembly;
  if (Memory === undefined) delete wasm.WebAssembly;
  else wasm.WebAssembly = { ...saved, Memory };
  let Loaded: MapClass | undefined;
  try {
    jest.isolateModules(() => {
      Loaded = (jest.requireActual('../../src/presized-map') as { PresizedMap: MapClass }).PresizedMap;
    });
  } finally {
    wasm.WebAssembly = saved;
  }
  return Loaded!;
}

/** `WebAssembly.Memory`, recording the descriptor and the buffer of every memory made. */
function recordingMemory(
  made: MemoryDescriptor[],
  buffers: ArrayBuffer[] = [],
): new (d: MemoryDescriptor) => { buffer: ArrayBuffer } {
  return class extends RealMemory {
    constructor(descriptor: MemoryDescriptor) {
      super(descriptor);
      made.push(descriptor);
      buffers.push(this.buffer);
    }
  };
}

/** Sets keys 0 .. n-1 to their square and checks every one reads back. */
function expectHolds(map: PresizedMap<number, number>, n: number): void {
  for (let i = 0; i < n; i++) map.set(i, i * i);
  expect(map.size).toBe(n);
  let wrong = 0;
  for (let i = 0; i < n; i++) if (map.get(i) !== i * i) wrong++;
  expect(wrong).toBe(0);
}

/** Bytes of the map's current bucket rows. */
const rowBytes = (map: PresizedMap<number, number>): number => map.stats().bucketCapacity * ROW_BYTES;

test('a table of 4 MiB or more takes a shared WebAssembly memory of its size in pages; a smaller one does not', () => {
  const made: MemoryDescriptor[] = [];
  const buffers: ArrayBuffer[] = [];
  const Map = loadWith(recordingMemory(made, buffers));
  const small = new Map<number, number>({ hint: 10_000 });
  expectHolds(small, 10_000);
  expect(rowBytes(small)).toBeLessThan(FRESH_PAGES_FROM);
  expect(made).toEqual([]);

  const large = new Map<number, number>({ hint: 600_000 });
  const bytes = rowBytes(large);
  expect(bytes).toBeGreaterThanOrEqual(FRESH_PAGES_FROM);
  const pages = Math.ceil(bytes / 65536);
  expect(made).toEqual([{ initial: pages, maximum: pages, shared: true }]);
  // The rows are the memory's, and both views cover the rows' bytes only: the memory is rounded up
  // to whole 64 KiB pages.
  expect(large['rows'].buffer).toBe(buffers[0]);
  expect(buffers[0]!.byteLength).toBeGreaterThan(bytes);
  expect(large['rows'].byteLength).toBe(bytes);
  expect(large['tophash'].byteLength).toBe(bytes);
  expectHolds(large, 600_000);
  expect(large.stats().growths).toBe(0);
});

test('a map that grows past 4 MiB takes its larger tables from WebAssembly memories', () => {
  const made: MemoryDescriptor[] = [];
  const Map = loadWith(recordingMemory(made));
  const map = new Map<number, number>();
  expectHolds(map, 700_000);
  const { B } = map.stats();
  // Every doubling whose new table, with its room for overflow buckets, reaches 4 MiB.
  const grownPages = [];
  for (let b = 1; b <= B; b++) {
    const bytes = typedBucketsFor(b, GROWN) * ROW_BYTES;
    if (bytes >= FRESH_PAGES_FROM) grownPages.push(Math.ceil(bytes / 65536));
  }
  expect(grownPages.length).toBeGreaterThanOrEqual(1);
  expect(made.map((d) => d.initial)).toEqual(grownPages);
});

test('where WebAssembly refuses a memory (address space used up), the rows come from a SharedArrayBuffer', () => {
  let refused = 0;
  const Map = loadWith(
    class {
      buffer = new ArrayBuffer(0);
      constructor() {
        refused++;
        throw new RangeError('WebAssembly.Memory(): could not allocate memory');
      }
    },
  );
  const map = new Map<number, number>({ hint: 600_000 });
  expect(refused).toBe(1);
  expect(map['rows'].buffer).toBeInstanceOf(SharedArrayBuffer);
  expectHolds(map, 600_000);
});

test('without WebAssembly (node --jitless), every table is a SharedArrayBuffer', () => {
  const Map = loadWith(undefined);
  const map = new Map<number, number>({ hint: 600_000 });
  expect(map['rows'].buffer).toBeInstanceOf(SharedArrayBuffer);
  expect(map['rows'].byteLength).toBe(map['rows'].buffer.byteLength);
  expectHolds(map, 600_000);
});
