/** What an explicit-bucket histogram exports: the SDK's histogram point, in plain numbers. */
export interface HistogramSnapshot {
  readonly boundaries: readonly number[];
  /** One more than the boundaries: the last bucket holds what lies above the last boundary. */
  readonly counts: number[];
  readonly count: number;
  readonly sum: number;
  readonly min: number;
  readonly max: number;
}

/**
 * Observations of a histogram kept outside the SDK, in fixed memory whatever their number: per
 * bucket of the histogram's boundaries, the count, sum, minimum and maximum.
 *
 * Why: recording into the SDK is a call that hashes the attributes and allocates (0.4 to 1 µs
 * per observation measured here). Made from inside a map write (a subscriber runs within
 * `publish`), such calls slowed the caller's write loop far beyond their own time. So writes
 * only `add`, and the SDK sees the observations at collection time: `replay` hands them to a
 * histogram instrument, or `snapshot` gives the cumulative point to a MetricProducer, which skips
 * the per-observation SDK cost altogether.
 *
 * Replaying a bucket records its minimum, its maximum and, for the rest, the mean of the others,
 * all inside that bucket: the exported count, sum, minimum, maximum and bucket counts are those the
 * raw observations would have given, for these boundaries. (A View that sets other boundaries on
 * the instrument sees the values of one of these buckets at its mean.)
 */
export class HistogramAggregate {
  private readonly boundaries: Float64Array;
  private readonly count: Float64Array;
  private readonly sum: Float64Array;
  private readonly min: Float64Array;
  private readonly max: Float64Array;
  private total = 0;

  /** `boundaries`: ascending upper bounds; a value equal to one belongs to its bucket, as in the SDK. */
  constructor(boundaries: readonly number[]) {
    this.boundaries = Float64Array.from(boundaries);
    const buckets = boundaries.length + 1;
    this.count = new Float64Array(buckets);
    this.sum = new Float64Array(buckets);
    this.min = new Float64Array(buckets).fill(Infinity);
    this.max = new Float64Array(buckets).fill(-Infinity);
  }

  /** Observations held: added since the last replay. */
  get size(): number {
    return this.total;
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
    this.total++;
  }

  /** Hands every observation held to `record`, then forgets them. */
  replay(record: (value: number) => void): void {
    if (this.total === 0) return;
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
    }
    this.count.fill(0);
    this.sum.fill(0);
    this.min.fill(Infinity);
    this.max.fill(-Infinity);
    this.total = 0;
  }

  /** Every observation held, as one histogram point. */
  snapshot(): HistogramSnapshot {
    let sum = 0;
    let min = Infinity;
    let max = -Infinity;
    for (let i = 0; i < this.count.length; i++) {
      if (this.count[i] === 0) continue;
      sum += this.sum[i]!;
      min = Math.min(min, this.min[i]!);
      max = Math.max(max, this.max[i]!);
    }
    return {
      boundaries: Array.from(this.boundaries),
      counts: Array.from(this.count),
      count: this.total,
      sum,
      min,
      max,
    };
  }
}
