/** A source of random 32-bit patterns, as signed int32 values (small integers in V8). */
export type Random32 = () => number;

/**
 * splitmix32: a small PRNG whose whole state is one 32-bit counter, so a map seeded with the same
 * number draws the same hash seeds, iteration starts and overflow-counter coins on every run.
 */
export function splitmix32(seed: number): Random32 {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x9e3779b9) | 0;
    let z = state;
    z = Math.imul(z ^ (z >>> 16), 0x21f0aaad);
    z = Math.imul(z ^ (z >>> 15), 0x735a2d97);
    return z ^ (z >>> 15);
  };
}

/** Adapts a `Math.random`-style source (floats in [0, 1)) to 32-bit patterns. */
export function fromUnitRandom(random: () => number): Random32 {
  return () => (random() * 4294967296) | 0;
}

const POOL_WORDS = 256;
const pool = new Int32Array(POOL_WORDS);
let poolNext = POOL_WORDS;

/**
 * Unpredictable 32-bit patterns from the platform's cryptographic generator (`crypto.getRandomValues`,
 * in Node.js and browsers alike), drawn 256 words at a time: the hash keys of maps created
 * without a seed come from here, so that no client can learn or guess them from other output of
 * the process (`Math.random` is a xorshift generator whose state can be recovered from its outputs).
 */
export const secureRandom32: Random32 = () => {
  if (poolNext === POOL_WORDS) {
    const crypto = (globalThis as { crypto?: { getRandomValues?: (a: Int32Array) => Int32Array } }).crypto;
    if (typeof crypto?.getRandomValues === 'function') {
      crypto.getRandomValues(pool);
    } else {
      for (let i = 0; i < POOL_WORDS; i++) pool[i] = (Math.random() * 4294967296) | 0;
    }
    poolNext = 0;
  }
  return pool[poolNext++]!;
};
