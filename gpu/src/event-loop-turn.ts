/**
 * How much of a capture is handled between two turns of the event loop: about 2 ms of parsing on
 * an idle core, so the host's own work never waits long behind a large capture.
 */
export const SLICE_CHARS = 64 * 1024;
export const SLICE_ITEMS = 1000;

/** Resolves on the event loop's next turn, after the I/O and timers that were waiting. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/** Calls `fn` on every item, giving the event loop a turn after every SLICE_ITEMS items. */
export async function forEachInSlices<T>(items: readonly T[], fn: (item: T) => void): Promise<void> {
  for (let from = 0; from < items.length; from += SLICE_ITEMS) {
    if (from > 0) await nextTurn();
    const to = Math.min(items.length, from + SLICE_ITEMS);
    for (let index = from; index < to; index++) fn(items[index] as T);
  }
}
