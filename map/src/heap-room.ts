import { tableBytes } from './planner.js';

/** Tables below 2^16 buckets (about 9 MiB) are built without asking the heap. */
const CHECKED_FROM_B = 16;

const mib = (bytes: number): string => `${Math.ceil(bytes / 2 ** 20).toLocaleString('en-US')} MiB`;

/**
 * Refuses, before anything is allocated, a table of `tables` × 2^B buckets that the V8 heap has no
 * room for: building it would end the process with an uncatchable out-of-memory error instead.
 */
export function checkHeapRoom(owner: string, hint: number, B: number, tables = 1): void {
  if (B < CHECKED_FROM_B) return;
  const bytes = tableBytes(B) * tables;
  // Asked for here rather than imported: loading `node:v8` loads Node's stream modules too, which
  // a process that never builds a large table need not keep in its heap.
  const { heap_size_limit: limit, used_heap_size: used } = process.getBuiltinModule('node:v8').getHeapStatistics();
  if (bytes > limit - used) {
    throw new RangeError(
      `${owner}: hint ${hint} needs ${mib(bytes)} for its table, more than the ${mib(limit - used)} left ` +
        `in the heap (limit ${mib(limit)}); give node a larger --max-old-space-size or a smaller hint`,
    );
  }
}
