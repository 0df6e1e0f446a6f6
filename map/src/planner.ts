// Capacity planning with the sizing rules and storage layout the map itself uses (sizing.ts,
// bucket-array.ts). None of them imports anything from Node.js, so a browser bundle (the Grafana
// plugin) can plan with the same rules.
import { CHUNK_SLOT_SHIFT } from './bucket-array.js';
import { checkOptions, describeValue } from './describe-value.js';
import {
  BUCKET_SLOTS,
  MAX_B,
  bucketShiftForHint,
  capacityOf,
  overflowPoolSize,
  validateHint,
} from './sizing.js';

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
  const B = validateHint(hint);
  return { B, buckets: 2 ** B, nextGrowthAt: capacityOf(B), overflowPool: overflowPoolSize(B) };
}

/**
 * Bytes one bucket of this implementation's table takes once its slots are written, excluding the
 * keys and values themselves: each of the 8 slots has a tophash byte (a Uint8Array) and a key and
 * a value reference (two 8-byte elements of the key/value chunk arrays, key beside value), and each
 * bucket an overflow link (an Int32Array element). 8 × (1 + 16) + 4 = 140 bytes on 64-bit Node.js,
 * which does not compress pointers.
 */
export const BYTES_PER_BUCKET = BUCKET_SLOTS * (1 + 16) + 4;
/** A Go `map[string][]string` bucket: 8 tophash bytes, 8 string headers, 8 slice headers, one pointer. */
export const GO_STRING_SLICE_BUCKET_BYTES = 8 + 8 * 16 + 8 * 24 + 8;

const CHUNK_SLOTS = 2 ** CHUNK_SLOT_SHIFT;

/**
 * Bytes a map built with a hint that gives 2^B buckets allocates for its table, keys and values
 * themselves excluded. Tophash bytes and links cover the main buckets, the overflow pool (2^(B−4))
 * and a spare room of 2^B / 16 buckets for fresh overflow buckets; the key/value chunks of 8,192
 * slots (one smaller chunk for a table under 1,024 buckets) cover the main buckets and the pool,
 * rounded up to whole chunks. Large tables come to about (2^B + pool) × {@link BYTES_PER_BUCKET}.
 */
export function tableBytes(B: number): number {
  const main = 2 ** B;
  const poolEnd = main + overflowPoolSize(B);
  const typedBuckets = poolEnd + Math.floor(main / 16);
  const chunkSlots = Math.min(typedBuckets * BUCKET_SLOTS, CHUNK_SLOTS);
  const chunks = Math.ceil((poolEnd * BUCKET_SLOTS) / CHUNK_SLOTS);
  return typedBuckets * (BUCKET_SLOTS + 4) + chunks * chunkSlots * 2 * 8;
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
  /** Bytes the map allocates for that table (see {@link tableBytes}), excluding the keys and values themselves. */
  estimatedBytes: number;
}

export const DEFAULT_HEADROOM = 1.25;

const INPUT_NAMES: readonly (keyof CapacityInput)[] = [
  'peakQps',
  'retentionSeconds',
  'keysPerRequest',
  'headroom',
  'keyPopulation',
];

/** Rounds up, ignoring the binary noise of decimal products (100 × 1.1 = 110.00000000000001). */
function ceilDecimal(x: number): number {
  return Math.ceil(Number(x.toPrecision(12)));
}

function checkPositive(name: string, value: unknown): asserts value is number {
  if (typeof value !== 'number' || !Number.isFinite(value) || value <= 0) {
    throw new RangeError(`planCapacity: ${name} must be a finite number above 0, got ${describeValue(value)}`);
  }
}

/**
 * The hint and table a presized map needs for a workload. Sized with Go's rule of 6.5 entries per
 * bucket; dividing the expected keys by 0.75 (Java's `HashMap` load factor) is not Go's rule.
 */
export function planCapacity(input: CapacityInput): CapacityPlan {
  if (input === undefined) throw new TypeError('planCapacity: needs an object with peakQps, retentionSeconds and keysPerRequest');
  checkOptions('planCapacity', input, INPUT_NAMES);
  const { peakQps, retentionSeconds, keysPerRequest, headroom = DEFAULT_HEADROOM, keyPopulation } = input;
  checkPositive('peakQps', peakQps);
  checkPositive('retentionSeconds', retentionSeconds);
  checkPositive('keysPerRequest', keysPerRequest);
  if (typeof headroom !== 'number' || !Number.isFinite(headroom) || headroom < 1) {
    throw new RangeError(
      `planCapacity: headroom must be a factor of at least 1 (1.25 = 25 % spare), got ${describeValue(headroom)}`,
    );
  }
  if (keyPopulation !== undefined && (!Number.isInteger(keyPopulation) || keyPopulation < 1)) {
    throw new RangeError(`planCapacity: keyPopulation must be a whole number above 0, got ${describeValue(keyPopulation)}`);
  }
  const arriving = ceilDecimal(peakQps * retentionSeconds * keysPerRequest);
  const expectedKeys = keyPopulation === undefined ? arriving : Math.min(arriving, keyPopulation);
  const hint = ceilDecimal(expectedKeys * headroom);
  if (bucketShiftForHint(hint) > MAX_B) {
    throw new RangeError(
      `planCapacity: a hint of ${hint} keys exceeds what one map holds (${capacityOf(MAX_B)}); ` +
        `split the keys over a ShardedMap with hint ${hint}`,
    );
  }
  const { B, buckets, nextGrowthAt } = bucketsForHint(hint);
  return { expectedKeys, hint, B, buckets, nextGrowthAt, estimatedBytes: tableBytes(B) };
}
