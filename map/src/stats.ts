/** A snapshot of a presized map's internal state, in Go's terms (see "Go semantics, rule by rule" in the README). */
export interface PresizedMapStats {
  /** Live entries. */
  size: number;
  /** log2 of the bucket count. */
  B: number;
  /** Main buckets: 2^B. */
  buckets: number;
  /** Overflow buckets in use in the current array, pool buckets included. */
  overflowBuckets: number;
  /** Go's approximate overflow counter `noverflow` (exact below B = 16). */
  noverflow: number;
  /** True while an incremental evacuation is in progress. */
  growing: boolean;
  /** Buckets of the array being evacuated (0 when not growing). */
  oldBuckets: number;
  /** Old buckets known to be evacuated (Go's `nevacuate`; 0 when not growing). */
  evacuated: number;
  /** Doubling growths since creation. */
  growths: number;
  /** Same-size growths since creation. */
  sameSizeGrowths: number;
  /** The capacity hint the map was created with (0 when none). */
  hint: number;
  /** Entries per main bucket: size / 2^B. */
  loadFactor: number;
  /** Entries the map can hold before the next doubling starts: 13 * 2^(B-1), or 8 at B = 0. */
  nextGrowthAt: number;
  /** Buckets the current bucket array has storage for: main buckets, the overflow pool and spare room. */
  bucketCapacity: number;
  /** Entries the map's storage holds before it must create more: live and freed entries plus room not yet used. */
  entryCapacity: number;
}
