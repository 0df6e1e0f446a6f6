// Capacity planning with the sizing rules and storage layout the map itself uses (sizing.ts,
// bucket-array.ts). None of them imports anything from Node.js, so a browser bundle (the Grafana
// plugin) can plan with the same rules.
import { ROW_BYTES, typedBucketsFor } from './bucket-array.js';
import { checkOptions, describeValue } from './describe-value.js';
import { MAX_ENTRIES, capacityOf, overflowPoolSize, validateHint } from './sizing.js';

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
 * Bytes one bucket of this implementation's table takes, excluding the keys and values: its row,
 * where each of the 8 slots has a tophash byte and a 4-byte slot word (the number of its entry),
 * and the bucket a 4-byte overflow link. 8 × (1 + 4) + 4 = 44 bytes.
 */
export const BYTES_PER_BUCKET = ROW_BYTES;
/** Bytes of one entry in the entry store: a key and a value reference, 8 bytes each (Node.js does not compress pointers). */
const BYTES_PER_ENTRY = 16;
/** A Go `map[string][]string` bucket: 8 tophash bytes, 8 string headers, 8 slice headers, one pointer. */
export const GO_STRING_SLICE_BUCKET_BYTES = 8 + 8 * 16 + 8 * 24 + 8;

/**
 * Bytes a map with 2^B buckets holding `entries` entries allocates for its table, the key strings
 * and the values themselves excluded: the typed arrays of the main buckets, the overflow pool
 * (2^(B−4)) and, for more than 4.75 entries a bucket, a spare room of 2^B / 16 buckets for fresh
 * overflow buckets, plus 16 bytes per entry of the entry store. A map built with hint h reserves h entries,
 * so it allocates `tableBytes(B, h)` when it is built; by default the entries a table of 2^B
 * buckets holds before it doubles.
 */
export function tableBytes(B: number, entries: number = capacityOf(B)): number {
  return typedBucketsFor(B, entries) * BYTES_PER_BUCKET + entries * BYTES_PER_ENTRY;
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
  /** Bytes a map built with `hint` allocates for its table (`tableBytes(B, hint)`), excluding the keys and values themselves. */
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
  if (input === undefined)
    throw new TypeError('planCapacity: needs an object with peakQps, retentionSeconds and keysPerRequest');
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
    throw new RangeError(
      `planCapacity: keyPopulation must be a whole number above 0, got ${describeValue(keyPopulation)}`,
    );
  }
  const arriving = ceilDecimal(peakQps * retentionSeconds * keysPerRequest);
  const expectedKeys = keyPopulation === undefined ? arriving : Math.min(arriving, keyPopulation);
  const hint = ceilDecimal(expectedKeys * headroom);
  if (hint > MAX_ENTRIES) {
    throw new RangeError(
      `planCapacity: a hint of ${hint} keys exceeds what one map holds (${MAX_ENTRIES}); ` +
        `split the keys over a ShardedMap with hint ${hint}`,
    );
  }
  const { B, buckets, nextGrowthAt } = bucketsForHint(hint);
  return { expectedKeys, hint, B, buckets, nextGrowthAt, estimatedBytes: tableBytes(B, hint) };
}
