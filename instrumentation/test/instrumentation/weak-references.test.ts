// The instrumentation holds maps weakly. Each case runs in a Node.js process of its own started
// with --expose-gc (see ../gc-child.ts), against the built package (dist/cjs).
import { join } from 'node:path';
import { runGcScript } from '../gc-child.js';

const SCRIPT = join(__dirname, 'scripts', 'weak-references.cjs');

describe('the instrumentation holds maps weakly', () => {
  test("a collected map's series is exported once more (an empty map, its final counts), then removed; its memory is returned", () => {
    const r = runGcScript<{
      count: number;
      live: { entries: number; growths: number };
      final: { entries: number; buckets: number; growths: number; survivor: number };
      after: { names: string[]; survivor: number };
      survivorSize: number;
      held: number;
      left: number;
    }>(SCRIPT, ['removed']);
    expect(r.count).toBe(20);
    expect(r.live.entries).toBe(400_000);
    // 20,000 entries without a hint: doublings at inserts #9, #14, #27, ... #13,313, 12 each.
    expect(r.live.growths).toBe(20 * 12);
    expect(r.final).toEqual({ entries: 0, buckets: 0, growths: 20 * 12, survivor: 1_000 });
    expect(r.after.names).toEqual(['survivor']);
    expect(r.after.survivor).toBe(1_000);
    expect(r.survivorSize).toBe(1_000);
    // 400,000 entries take tens of megabytes; what remains is the survivor and bookkeeping.
    expect(r.held).toBeGreaterThan(20 * 2 ** 20);
    expect(r.left).toBeLessThan(r.held / 10);
  }, 120_000);

  test('with SDK instruments (metricsExport instrument) the series stays, reporting an empty map', () => {
    const r = runGcScript<{ live: number; first: number; second: number }>(SCRIPT, ['instrumentKeepsZero']);
    expect(r).toEqual({ live: 25_000, first: 0, second: 0 });
  }, 120_000);

  test('a map collected in the middle of a growth ends its span with outcome collected', () => {
    const r = runGcScript<{ growing: boolean; collected: Record<string, unknown>[] }>(SCRIPT, ['collectedMidGrowth']);
    expect(r.growing).toBe(true);
    expect(r.collected).toHaveLength(1);
    expect(r.collected[0]).toMatchObject({
      'presize.map.name': 'abandoned',
      'presize.map.growth.old_buckets': 1_024,
      'presize.map.growth.new_buckets': 2_048,
    });
  }, 120_000);

  test('thousands of short-lived maps: their final counts are exported once, then nothing is held', () => {
    const r = runGcScript<Record<string, number | null>>(SCRIPT, ['shortLived']);
    expect(r).toEqual({
      finalGrowths: 5_000 * 2,
      finalEntries: 0,
      afterGrowths: null,
      afterEntries: null,
      seriesHeld: 0,
    });
  }, 120_000);
});
