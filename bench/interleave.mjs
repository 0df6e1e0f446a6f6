// Comparisons run their variants in rounds, the order rotating each round: on a shared machine no
// variant always runs first (coolest heap, warmest caches) or always after the same neighbour.
import { median } from './lib.mjs';

/** `items` rotated left by `round`. */
export const rotation = (items, round) => items.map((_, i) => items[(i + round) % items.length]);

/**
 * Calls `measure(id, round)` for every id in each of `rounds` rounds, in rotating order; returns
 * the results per id, in round order.
 */
export async function interleaved(ids, rounds, measure) {
  const results = Object.fromEntries(ids.map((id) => [id, []]));
  for (let round = 0; round < rounds; round++) {
    for (const id of rotation(ids, round)) results[id].push(await measure(id, round));
  }
  return results;
}

/** For results as `interleaved` returns them: `(id, field)` → the median of that field over the id's runs. */
export const medianOf = (results) => (id, field) => median(results[id].map((result) => result[field]));
