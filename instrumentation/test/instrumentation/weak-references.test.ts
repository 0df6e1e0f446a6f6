import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { PresizedMap } from '@presize/map';
import * as semconv from '../../src/semconv.js';
import { pointsOf, TelemetryHarness, valueOf } from './telemetry-harness.js';

// A full, synchronous collection on demand: the flag makes `gc` a global of contexts created after it.
setFlagsFromString('--expose-gc');
const gc = runInNewContext('gc') as () => void;

/** Lets the current job end (WeakRef targets read in it stay alive until then), then collects. */
async function collectGarbage(): Promise<void> {
  for (let i = 0; i < 3; i++) {
    await new Promise((resolve) => setImmediate(resolve));
    gc();
  }
  // Finalization callbacks run as tasks after the collection that found their targets.
  await new Promise((resolve) => setImmediate(resolve));
}

function filled(name: string, entries: number, seed: number): PresizedMap<string, number> {
  const map = new PresizedMap<string, number>({ name, seed });
  for (let i = 0; i < entries; i++) map.set(`key_${seed}_${i}`, i);
  return map;
}

describe('the instrumentation holds maps weakly', () => {
  let harness: TelemetryHarness;
  beforeEach(() => {
    harness = new TelemetryHarness();
  });
  afterEach(() => harness.shutdown());

  test('a collected map stops reporting its state (its series drops to 0), and its memory is returned', async () => {
    await collectGarbage();
    const baseline = process.memoryUsage().heapUsed;
    let maps: PresizedMap<string, number>[] | undefined = [];
    for (let i = 0; i < 20; i++) maps.push(filled('ephemeral', 20_000, i));
    const survivor = filled('survivor', 1_000, 99);

    let metrics = await harness.metrics();
    expect(valueOf(metrics.get(semconv.METRIC_MAP_ENTRIES), { [semconv.ATTR_MAP_NAME]: 'ephemeral' })).toBe(
      400_000,
    );
    await collectGarbage();
    const held = process.memoryUsage().heapUsed - baseline;
    expect(maps).toHaveLength(20);

    maps = undefined;
    await collectGarbage();
    metrics = await harness.metrics();
    const entries = metrics.get(semconv.METRIC_MAP_ENTRIES);
    // The series stays, at zero: under cumulative temporality the SDK would otherwise go on
    // exporting its last live value (400,000) for ever.
    expect(pointsOf(entries, { [semconv.ATTR_MAP_NAME]: 'ephemeral' })).toHaveLength(1);
    expect(valueOf(entries, { [semconv.ATTR_MAP_NAME]: 'ephemeral' })).toBe(0);
    expect(valueOf(metrics.get(semconv.METRIC_MAP_BUCKETS), { [semconv.ATTR_MAP_NAME]: 'ephemeral' })).toBe(0);
    expect(valueOf(entries, { [semconv.ATTR_MAP_NAME]: 'survivor' })).toBe(1_000);
    expect(survivor.size).toBe(1_000);

    await collectGarbage();
    const left = process.memoryUsage().heapUsed - baseline;
    // 400,000 entries take tens of megabytes; what remains is the survivor and bookkeeping.
    expect(held).toBeGreaterThan(20 * 2 ** 20);
    expect(left).toBeLessThan(held / 10);
  }, 60_000);

  test('a map collected in the middle of a growth ends its span with outcome collected', async () => {
    (() => {
      // 6,657 inserts start the doubling from 1,024 to 2,048 buckets; 40 writes do not finish it.
      const map = filled('abandoned', 13 * 2 ** 9 + 41, 5);
      expect(map.stats().growing).toBe(true);
    })();
    await collectGarbage();
    await harness.metrics(); // a collection also sweeps records whose map is gone
    const abandoned = harness
      .finishedSpans(semconv.SPAN_MAP_GROW)
      .filter((s) => s.attributes[semconv.ATTR_GROWTH_OUTCOME] === 'collected');
    expect(abandoned).toHaveLength(1);
    expect(abandoned[0]!.attributes).toMatchObject({
      [semconv.ATTR_MAP_NAME]: 'abandoned',
      [semconv.ATTR_GROWTH_OLD_BUCKETS]: 1_024,
      [semconv.ATTR_GROWTH_NEW_BUCKETS]: 2_048,
    });
  });

  test('thousands of short-lived maps leave no records behind', async () => {
    for (let i = 0; i < 5_000; i++) filled('short-lived', 20, i);
    await collectGarbage();
    const metrics = await harness.metrics();
    expect(
      pointsOf(metrics.get(semconv.METRIC_MAP_ENTRIES), { [semconv.ATTR_MAP_NAME]: 'short-lived' }),
    ).toHaveLength(0);
    // Counters keep their one series per name: history is not a leak.
    expect(
      valueOf(metrics.get(semconv.METRIC_MAP_GROWTHS), { [semconv.ATTR_MAP_NAME]: 'short-lived' }),
    ).toBe(5_000 * 2);
  }, 60_000);
});
