/**
 * The next value of a counter kept once per process under `key`, shared by every copy of this
 * package (its ESM and CommonJS builds, or two installed versions): numbers from two copies never
 * collide, so neither do the ids and default names made from them.
 */
export function nextInProcess(key: string): number {
  const slots = globalThis as unknown as Record<symbol, { value: number } | undefined>;
  const slot = Symbol.for(key);
  let counter = slots[slot];
  if (counter === undefined) {
    counter = { value: 0 };
    slots[slot] = counter;
  }
  return ++counter.value;
}
