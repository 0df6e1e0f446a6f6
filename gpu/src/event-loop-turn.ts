/**
 * How much of a capture is handled between two turns of the event loop. A slice of text is at most
 * SLICE_CHARS characters, read in steps of at most SLICE_ITEMS lines (or one `<gpu>` element of
 * nvidia-smi XML); a slice of the later stages is SLICE_ITEMS series. Each is well under a
 * millisecond of work on an idle core, so the host's own work never waits long behind a capture.
 */
export const SLICE_CHARS = 16 * 1024;
export const SLICE_ITEMS = 1000;

/** Resolves on the event loop's next turn, after the I/O and timers that were waiting. */
export function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}

/**
 * Calls `fn` on every item, giving the event loop a turn after every SLICE_ITEMS items; stops,
 * throwing the signal's reason, once `signal` aborts, so work nobody waits for ends at the next slice.
 */
export async function forEachInSlices<T>(
  items: Iterable<T>,
  fn: (item: T) => void,
  signal?: AbortSignal,
): Promise<void> {
  let inSlice = 0;
  for (const item of items) {
    if (inSlice === SLICE_ITEMS) {
      await nextTurn();
      signal?.throwIfAborted();
      inSlice = 0;
    }
    fn(item);
    inSlice++;
  }
}
