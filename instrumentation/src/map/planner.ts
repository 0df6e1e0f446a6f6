// Capacity planning with the classic Go map's sizing rules. Pure arithmetic and no imports, so that
// a browser bundle (the Grafana plugin) can use the same rules as the map itself.

/** Slots per bucket. */
export const BUCKET_SLOTS = 8;
/** The largest capacity hint a presized map accepts. */
export const MAX_HINT = 2 ** 31;

/** Go's `overLoadFactor`: more than 8 entries and more than 6.5 per bucket (13 · ⌊2^B / 2⌋). */
export function overLoadFactor(count: number, B: number): boolean {
  return count > BUCKET_SLOTS && count > 13 * Math.floor(2 ** B / 2);
}

/** Entries a table of 2^B buckets holds before the next insert starts a doubling: 13 · 2^(B−1), or 8 at B = 0. */
export function growthThreshold(B: number): number {
  return B === 0 ? BUCKET_SLOTS : 13 * 2 ** (B - 1);
}

/** Overflow buckets preallocated beside the main array: 2^(B−4) from B = 4 (Go before size-class rounding). */
export function overflowPoolSize(B: number): number {
  return B >= 4 ? 2 ** (B - 4) : 0;
}

/** Throws a RangeError naming `value` unless it is a capacity hint a presized map accepts. */
export function checkHint(value: number, what = 'hint'): void {
  if (!Number.isInteger(value) || value < 0 || value > MAX_HINT) {
    throw new RangeError(`${what} must be an integer from 0 to 2^31 (${MAX_HINT}), got ${String(value)}`);
  }
}

/** Go's `makemap`: the smallest B whose table holds `hint` entries without growing. */
export function bForHint(hint: number): number {
  let B = 0;
  while (overLoadFactor(hint, B)) B++;
  return B;
}

export interface BucketPlan {
  /** log2 of the bucket count. */
  B: number;
  /** Main buckets: 2^B. */
  buckets: number;
  /** Entries the table holds before the next insert starts a doubling. */
  nextGrowthAt: number;
  /** Overflow buckets preallocated with the table. */
  overflowPool: number;
}

/** The table a presized map builds for capacity hint `hint`, following Go's `makemap` and `makeBucketArray`. */
export function bucketsForHint(hint: number): BucketPlan {
  checkHint(hint);
  const B = bForHint(hint);
  return { B, buckets: 2 ** B, nextGrowthAt: growthThreshold(B), overflowPool: overflowPoolSize(B) };
}

/**
 * Bytes one bucket of this implementation's table takes, excluding the keys and values themselves:
 * each of the 8 slots has a tophash byte (Uint8Array), a key reference and a value reference (8-byte
 * elements of two JavaScript arrays), and each bucket an overflow link (Int32Array).
 */
export const BYTES_PER_BUCKET = BUCKET_SLOTS * (1 + 8 + 8) + 4;
/** A Go `map[string][]string` bucket: 8 tophash bytes, 8 string headers, 8 slice headers, one pointer. */
export const GO_STRING_SLICE_BUCKET_BYTES = 8 + 8 * 16 + 8 * 24 + 8;

/** Bytes of the table for 2^B buckets and its overflow pool. */
export function tableBytes(B: number): number {
  return (2 ** B + overflowPoolSize(B)) * BYTES_PER_BUCKET;
}

export interface CapacityInput {
  /** Peak requests per second the service handles. */
  peakQps: number;
  /** Seconds an entry stays in the map. */
  retentionSeconds: number;
  /** New distinct keys a request brings (0.2 when one request in five meets a new key). */
  keysPerRequest: number;
  /** Spare capacity as a factor ≥ 1 (1.25 plans for 25 % more keys than expected); 1.25 when omitted. */
  headroom?: number;
  /** Distinct keys that can exist at all (120,000 devices); caps the expected keys when given. */
  keyPopulation?: number;
}

export interface CapacityPlan {
  /** Keys the map will hold at peak: peakQps × retentionSeconds × keysPerRequest, capped by keyPopulation. */
  expectedKeys: number;
  /** The capacity hint to pass to the map: expectedKeys × headroom, rounded up. */
  hint: number;
  B: number;
  buckets: number;
  /** Key count the table holds before an insert starts the next (incremental) doubling. */
  nextGrowthAt: number;
  /** Table bytes at that size (see {@link BYTES_PER_BUCKET}), excluding the keys and values themselves. */
  estimatedBytes: number;
}

export const DEFAULT_HEADROOM = 1.25;

/** Rounds up, ignoring the binary noise of decimal products (100 × 1.1 = 110.00000000000001). */
function ceilDecimal(x: number): number {
  return Math.ceil(Number(x.toPrecision(12)));
}

function checkPositive(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`planCapacity: ${name} must be a finite number above 0, got ${String(value)}`);
  }
}

/**
 * The hint and table a presized map needs for a workload. Sized with Go's rule of 6.5 entries per
 * bucket; dividing the expected keys by 0.75 (Java's `HashMap` load factor) is not Go's rule.
 */
export function planCapacity(input: CapacityInput): CapacityPlan {
  const { peakQps, retentionSeconds, keysPerRequest, headroom = DEFAULT_HEADROOM, keyPopulation } = input;
  checkPositive('peakQps', peakQps);
  checkPositive('retentionSeconds', retentionSeconds);
  checkPositive('keysPerRequest', keysPerRequest);
  if (typeof headroom !== 'number' || !Number.isFinite(headroom) || headroom < 1) {
    throw new RangeError(
      `planCapacity: headroom must be a factor of at least 1 (1.25 = 25 % spare), got ${String(headroom)}`,
    );
  }
  if (keyPopulation !== undefined && (!Number.isInteger(keyPopulation) || keyPopulation < 1)) {
    throw new RangeError(`planCapacity: keyPopulation must be a whole number above 0, got ${String(keyPopulation)}`);
  }
  const arriving = ceilDecimal(peakQps * retentionSeconds * keysPerRequest);
  const expectedKeys = keyPopulation === undefined ? arriving : Math.min(arriving, keyPopulation);
  const hint = ceilDecimal(expectedKeys * headroom);
  if (hint > MAX_HINT) {
    throw new RangeError(
      `planCapacity: ${hint} keys exceed the largest hint of one map (2^31); split them over a ShardedMap`,
    );
  }
  const { B, buckets, nextGrowthAt } = bucketsForHint(hint);
  return { expectedKeys, hint, B, buckets, nextGrowthAt, estimatedBytes: tableBytes(B) };
}
