/**
 * Observations of a histogram that are kept here and recorded into the SDK's histogram later, at
 * collection time. Recording is an SDK call that hashes the attributes and allocates; made from
 * inside a map write (a subscriber runs within `publish`), even a few such calls cost the
 * caller's compiled write loop a large share of its speed, far beyond their own time (measured
 * on the incident workload: 30 % against 5 % with the same calls made at collection).
 *
 * Memory is fixed however long collection waits: per bucket of the histogram's boundaries, the
 * count, sum, minimum and maximum. Replaying a bucket records its minimum, its maximum and, for
 * the rest, the mean of the others, all inside that bucket: the exported count, sum, minimum,
 * maximum and bucket counts are those the raw observations would have given, for these
 * boundaries. (A View that sets other boundaries on the instrument sees the values of one of
 * these buckets at its mean.)
 */
export class PendingHistogram {
  private readonly boundaries: Float64Array;
  private readonly count: Float64Array;
  private readonly sum: Float64Array;
  private readonly min: Float64Array;
  private readonly max: Float64Array;
  private pending = 0;

  /** `boundaries`: ascending upper bounds; a value equal to one belongs to its bucket, as in the SDK. */
  constructor(boundaries: readonly number[]) {
    this.boundaries = Float64Array.from(boundaries);
    const buckets = boundaries.length + 1;
    this.count = new Float64Array(buckets);
    this.sum = new Float64Array(buckets);
    this.min = new Float64Array(buckets).fill(Infinity);
    this.max = new Float64Array(buckets).fill(-Infinity);
  }

  /** Observations added since the last replay. */
  get size(): number {
    return this.pending;
  }

  add(value: number): void {
    const boundaries = this.boundaries;
    // Stalls are mostly short: a scan from the lowest bucket ends early.
    let i = 0;
    while (i < boundaries.length && boundaries[i]! < value) i++;
    this.count[i]!++;
    this.sum[i]! += value;
    if (value < this.min[i]!) this.min[i] = value;
    if (value > this.max[i]!) this.max[i] = value;
    this.pending++;
  }

  /** Hands every observation added since the last replay to `record`, then forgets them. */
  replay(record: (value: number) => void): void {
    if (this.pending === 0) return;
    for (let i = 0; i < this.count.length; i++) {
      const n = this.count[i]!;
      if (n === 0) continue;
      const min = this.min[i]!;
      const max = this.max[i]!;
      record(min);
      if (n > 1) record(max);
      if (n > 2) {
        // Clamped: rounding in the sum must not carry the mean out of the bucket.
        const rest = Math.min(max, Math.max(min, (this.sum[i]! - min - max) / (n - 2)));
        for (let k = 2; k < n; k++) record(rest);
      }
      this.count[i] = 0;
      this.sum[i] = 0;
      this.min[i] = Infinity;
      this.max[i] = -Infinity;
    }
    this.pending = 0;
  }
}
