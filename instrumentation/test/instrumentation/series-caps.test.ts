// The map series a process can hold are bounded: a cap per kind (presized, native) with an
// overflow series as OpenTelemetry's cardinality limit has, and small unnamed maps in one series.
import { diag } from '@opentelemetry/api';
import { PresizedMap, ShardedMap } from '@presize/map';
import { observeMap } from '../../src/native/observe-map.js';
import * as semconv from '../../src/semconv.js';
import { pointsOf, TelemetryHarness, valueOf } from './telemetry-harness.js';
import { captureDiagWarnings } from '../../../test/support/diag-warnings.js';

const NAME = semconv.ATTR_MAP_NAME;
const namesOf = (harness: TelemetryHarness, metric: string) =>
  harness.metrics().then((m) => [...new Set(pointsOf(m.get(metric)).map((p) => p.attributes[NAME]))].sort());

function fill(map: Map<string, number>, entries: number): void {
  for (let i = 0; i < entries; i++) map.set(`k${i}`, i);
}

describe('bounded map series', () => {
  let harness: TelemetryHarness;
  let warnings: string[];
  beforeEach(() => {
    warnings = captureDiagWarnings();
  });
  afterEach(async () => {
    await harness.shutdown();
    diag.disable();
  });

  test('maxMapSeries - 1 names get a series; the others share _overflow (otel.metric.overflow); one warning', async () => {
    harness = new TelemetryHarness({ maxMapSeries: 3 });
    const maps = ['a', 'b', 'c', 'd', 'a', 'e'].map((name) => {
      const map = new PresizedMap<string, number>({ name, seed: 1 });
      fill(map, 20);
      return map;
    });
    expect(await namesOf(harness, semconv.METRIC_MAP_ENTRIES)).toEqual(['_overflow', 'a', 'b']);
    const metrics = await harness.metrics();
    const entries = metrics.get(semconv.METRIC_MAP_ENTRIES);
    expect(valueOf(entries, { [NAME]: 'a' })).toBe(40);
    expect(valueOf(entries, { [NAME]: '_overflow', 'otel.metric.overflow': true })).toBe(60);
    // Each map of 20 entries doubled twice (inserts #9 and #14).
    expect(valueOf(metrics.get(semconv.METRIC_MAP_GROWTHS), { [NAME]: '_overflow' })).toBe(6);
    expect(warnings.filter((w) => w.includes('maxMapSeries'))).toHaveLength(1);
    expect(maps).toHaveLength(6);
  });

  test('native maps have a cap of their own: presized maps keep their series when native ones overflow', async () => {
    harness = new TelemetryHarness({ maxNativeMapSeries: 2 });
    const natives = ['n1', 'n2', 'n3'].map((name) => {
      const map = new Map<string, number>();
      observeMap(map, { name });
      fill(map, 40);
      return map;
    });
    const presized = new PresizedMap<string, number>({ name: 'presized', seed: 2 });
    fill(presized, 20);
    expect(await namesOf(harness, semconv.METRIC_MAP_ENTRIES)).toEqual(['_overflow', 'n1', 'presized']);
    expect(warnings.filter((w) => w.includes('maxNativeMapSeries'))).toHaveLength(1);
    expect(natives).toHaveLength(3);
  });

  test('small unnamed maps share _unnamed; one that reaches unnamedMapThreshold gets presized-map-<id>', async () => {
    harness = new TelemetryHarness({ unnamedMapThreshold: 1_000 });
    const small = Array.from({ length: 50 }, () => {
      const map = new PresizedMap<string, number>({ seed: 3 });
      fill(map, 20);
      return map;
    });
    const sharded = new ShardedMap<string, number>({ shards: 4, seed: 4 });
    fill(sharded as unknown as Map<string, number>, 100);
    const large = new PresizedMap<string, number>({ seed: 5 });
    fill(large, 999);
    expect(await namesOf(harness, semconv.METRIC_MAP_ENTRIES)).toEqual(['_unnamed']);
    let metrics = await harness.metrics();
    expect(valueOf(metrics.get(semconv.METRIC_MAP_ENTRIES), { [NAME]: '_unnamed' })).toBe(50 * 20 + 100 + 999);
    // The unnamed series has no shard attribute: four shards of a sharded map are one with the rest.
    expect(pointsOf(metrics.get(semconv.METRIC_MAP_ENTRIES))).toHaveLength(1);

    fill(large, 1_500);
    expect(await namesOf(harness, semconv.METRIC_MAP_ENTRIES)).toEqual(['_unnamed', large.name]);
    metrics = await harness.metrics();
    expect(large.name).toBe(`presized-map-${large.id}`);
    expect(valueOf(metrics.get(semconv.METRIC_MAP_ENTRIES), { [NAME]: large.name })).toBe(1_500);
    expect(valueOf(metrics.get(semconv.METRIC_MAP_ENTRIES), { [NAME]: '_unnamed' })).toBe(50 * 20 + 100);
    expect(small).toHaveLength(50);
  });

  test('unnamedMapThreshold 0 gives every unnamed map its own series', async () => {
    harness = new TelemetryHarness({ unnamedMapThreshold: 0 });
    const maps = [new PresizedMap<string, number>({ seed: 6 }), new PresizedMap<string, number>({ seed: 7 })];
    for (const map of maps) fill(map, 10);
    expect(await namesOf(harness, semconv.METRIC_MAP_ENTRIES)).toEqual(maps.map((m) => m.name).sort());
  });

  test.each([
    [{ maxMapSeries: 1 }, 'maxMapSeries must be an integer >= 2 (it counts the overflow series), got 1'],
    [
      { maxNativeMapSeries: 2.5 },
      'maxNativeMapSeries must be an integer >= 2 (it counts the overflow series), got 2.5',
    ],
    [{ unnamedMapThreshold: -1 }, 'unnamedMapThreshold must be an integer number of entries >= 0, got -1'],
  ])('a bad limit %j is refused by name', (config, message) => {
    harness = new TelemetryHarness();
    expect(() => new TelemetryHarness(config)).toThrow(message);
  });
});
