/**
 * One instance of each class of this package (and of their iterators), built when the package
 * loads, kept for the life of the process and never used.
 *
 * Why: V8 holds the hidden class that a class's instances share only through those instances, and
 * compiled code holds it weakly. When a mark-compact finds no instance alive (a service between two
 * requests that each build a map, a benchmark between runs), it frees the hidden class and throws
 * away the compiled code of every method that relied on it: a map's `set` and `get`, its growth and
 * evacuation, the entry store's and bucket array's methods, the iterators'. The next instance then
 * runs them interpreted while V8 compiles them again on its background threads, which on a
 * two-core machine take the main thread's core in 4 ms slices during its first tens of
 * milliseconds of inserts (`node --trace-deopt-verbose` names each such loss "weak objects").
 */
const kept: object[] = [];
let building = false;

/** False while a kept instance is being built: a map built then takes no id and announces nothing. */
export function announcesMaps(): boolean {
  return !building;
}

/**
 * Builds the instances `build` returns, with maps unannounced, and keeps them; whatever else
 * `build` makes (a map grown to run the growth's code paths, in presized-map.ts) is unannounced too.
 */
export function keepShapes(build: () => object[]): void {
  building = true;
  try {
    kept.push(...build());
  } finally {
    building = false;
  }
}
