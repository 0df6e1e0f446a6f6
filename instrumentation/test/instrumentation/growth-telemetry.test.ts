import diagnostics_channel from 'node:diagnostics_channel';
import { SpanKind } from '@opentelemetry/api';
import { registerInstrumentations } from '@opentelemetry/instrumentation';
import { EVACUATION_STALL_BUCKETS } from '../../src/instrumentation/buckets.js';
import { PresizedMapInstrumentation } from '../../src/instrumentation/instrumentation.js';
import { MAP_CHANNELS, PresizedMap, ShardedMap, type EvacuateEvent } from '@presize/map';
import * as semconv from '../../src/semconv.js';
import { histogramOf, pointsOf, TelemetryHarness, valueOf } from './telemetry-harness.js';

const NAME = semconv.ATTR_MAP_NAME;
const KIND = semconv.ATTR_GROWTH_KIND;
const TRIGGER = semconv.ATTR_GROWTH_TRIGGER;

function fill(map: PresizedMap<string, number>, from: number, to: number): void {
  for (let i = from; i < to; i++) map.set(`dev_${i.toString(16).padStart(8, '0')}`, i);
}

describe('120,000 inserts into a map with no hint', () => {
  let harness: TelemetryHarness;
  let map: PresizedMap<string, number>;

  beforeAll(() => {
    harness = new TelemetryHarness();
    map = new PresizedMap<string, number>({ name: 'devices', seed: 7 });
    fill(map, 0, 120_000);
  });
  afterAll(() => harness.shutdown());

  test('one presize.map.grow span per doubling: 15, from 1 to 32,768 buckets', () => {
    const spans = harness.finishedSpans(semconv.SPAN_MAP_GROW);
    expect(spans).toHaveLength(15);
    expect(map.stats().growths).toBe(15);
    const byOldBuckets = [...spans].sort(
      (a, b) =>
        (a.attributes[semconv.ATTR_GROWTH_OLD_BUCKETS] as number) -
        (b.attributes[semconv.ATTR_GROWTH_OLD_BUCKETS] as number),
    );
    byOldBuckets.forEach((span, i) => {
      expect(span.kind).toBe(SpanKind.INTERNAL);
      expect(span.parentSpanContext).toBeUndefined();
      expect(span.attributes).toMatchObject({
        [NAME]: 'devices',
        [KIND]: 'double',
        [TRIGGER]: 'load_factor',
        [semconv.ATTR_GROWTH_OLD_BUCKETS]: 2 ** i,
        [semconv.ATTR_GROWTH_NEW_BUCKETS]: 2 ** (i + 1),
        [semconv.ATTR_GROWTH_OUTCOME]: 'completed',
      });
      // Go starts a doubling on the insert that finds more than 6.5 entries per bucket
      // (8 entries at B = 0): the size seen is the count before that insert.
      expect(span.attributes[semconv.ATTR_GROWTH_SIZE]).toBe(i === 0 ? 8 : 13 * 2 ** (i - 1));
      const steps = span.attributes[semconv.ATTR_GROWTH_EVACUATION_STEPS] as number;
      // Each write evacuates at most two old buckets, and at least one until the last.
      expect(steps).toBeGreaterThanOrEqual(Math.ceil(2 ** i / 2));
      expect(steps).toBeLessThanOrEqual(2 ** i);
      expect(span.attributes[semconv.ATTR_GROWTH_EVACUATION_DURATION]).toBeGreaterThan(0);
      expect(span.attributes[semconv.ATTR_GROWTH_ALLOCATION_DURATION]).toBeGreaterThan(0);
      expect(span.links).toHaveLength(0);
    });
  });

  test('growths counter is 15, all doublings on load factor; growth duration has 15 observations', async () => {
    const metrics = await harness.metrics();
    const growths = metrics.get(semconv.METRIC_MAP_GROWTHS);
    expect(valueOf(growths, { [NAME]: 'devices' })).toBe(15);
    expect(valueOf(growths, { [NAME]: 'devices', [KIND]: 'double', [TRIGGER]: 'load_factor' })).toBe(15);
    expect(pointsOf(growths, { [NAME]: 'devices' })).toHaveLength(1);
    expect(growths?.descriptor.unit).toBe('{growth}');
    const duration = metrics.get(semconv.METRIC_MAP_GROWTH_DURATION);
    expect(histogramOf(duration, { [NAME]: 'devices', [KIND]: 'double' }).count).toBe(15);
    expect(duration?.descriptor.unit).toBe('s');
    expect(histogramOf(metrics.get(semconv.METRIC_MAP_GROWTH_ALLOCATION_DURATION)).count).toBe(15);
  });

  test('every old bucket is evacuated exactly once: 1 + 2 + ... + 2^14 buckets', async () => {
    const metrics = await harness.metrics();
    expect(valueOf(metrics.get(semconv.METRIC_MAP_EVACUATED_BUCKETS), { [NAME]: 'devices' })).toBe(2 ** 15 - 1);
  });

  test('one stall observation per write that evacuated, summing to the spans’ evacuation time', async () => {
    const metrics = await harness.metrics();
    const stall = histogramOf(metrics.get(semconv.METRIC_MAP_EVACUATION_STALL), { [NAME]: 'devices' });
    const spans = harness.finishedSpans(semconv.SPAN_MAP_GROW);
    const steps = spans.reduce((n, s) => n + (s.attributes[semconv.ATTR_GROWTH_EVACUATION_STEPS] as number), 0);
    const seconds = spans.reduce((n, s) => n + (s.attributes[semconv.ATTR_GROWTH_EVACUATION_DURATION] as number), 0);
    expect(stall.count).toBe(steps);
    expect(stall.sum).toBeCloseTo(seconds, 9);
  });

  test('gauges report the live map as stats() sees it', async () => {
    const metrics = await harness.metrics();
    const stats = map.stats();
    const where = { [NAME]: 'devices' };
    expect(valueOf(metrics.get(semconv.METRIC_MAP_ENTRIES), where)).toBe(120_000);
    expect(valueOf(metrics.get(semconv.METRIC_MAP_BUCKETS), where)).toBe(32_768);
    expect(valueOf(metrics.get(semconv.METRIC_MAP_OVERFLOW_BUCKETS), where)).toBe(stats.overflowBuckets);
    expect(valueOf(metrics.get(semconv.METRIC_MAP_LOAD_FACTOR), where)).toBeCloseTo(120_000 / 32_768, 12);
    expect(valueOf(metrics.get(semconv.METRIC_MAP_HINT), where)).toBe(0);
    expect(valueOf(metrics.get(semconv.METRIC_MAP_GROWING), where)).toBe(0);
    expect(valueOf(metrics.get(semconv.METRIC_MAP_EVACUATION_PROGRESS), where)).toBe(1);
    expect(valueOf(metrics.get(semconv.METRIC_MAP_NEXT_GROWTH_AT), where)).toBe(13 * 2 ** 14);
  });

  test('overflow allocations match the overflow events the map published', async () => {
    const metrics = await harness.metrics();
    const allocations = metrics.get(semconv.METRIC_MAP_OVERFLOW_ALLOCATIONS);
    const pool = valueOf(allocations, { [NAME]: 'devices', [semconv.ATTR_OVERFLOW_SOURCE]: 'pool' });
    const fresh = valueOf(allocations, { [NAME]: 'devices', [semconv.ATTR_OVERFLOW_SOURCE]: 'fresh' });
    // Random string keys overflow some buckets at every size; B >= 4 arrays come with a pool.
    expect(pool).toBeGreaterThan(0);
    expect(pool + fresh).toBeGreaterThanOrEqual(map.stats().overflowBuckets);
  });
});

describe('a delete/insert churn at fixed size', () => {
  test('makes same-size growths on the overflow trigger and no doubling', async () => {
    const harness = new TelemetryHarness();
    try {
      const map = new PresizedMap<string, number>({ name: 'sessions', hint: 100, seed: 42 });
      fill(map, 0, 100);
      for (let i = 100; i < 50_100; i++) {
        fill(map, i, i + 1);
        map.delete(`dev_${(i - 100).toString(16).padStart(8, '0')}`);
      }
      const stats = map.stats();
      expect(stats.growths).toBe(0);
      expect(stats.sameSizeGrowths).toBeGreaterThan(10);

      const metrics = await harness.metrics();
      const growths = metrics.get(semconv.METRIC_MAP_GROWTHS);
      expect(valueOf(growths, { [NAME]: 'sessions', [KIND]: 'same_size', [TRIGGER]: 'overflow' })).toBe(
        stats.sameSizeGrowths,
      );
      expect(valueOf(growths, { [NAME]: 'sessions', [KIND]: 'double' })).toBe(0);

      const spans = harness.finishedSpans(semconv.SPAN_MAP_GROW);
      expect(spans).toHaveLength(stats.sameSizeGrowths - (stats.growing ? 1 : 0));
      for (const span of spans) {
        expect(span.attributes[KIND]).toBe('same_size');
        expect(span.attributes[semconv.ATTR_GROWTH_OLD_BUCKETS]).toBe(16);
        expect(span.attributes[semconv.ATTR_GROWTH_NEW_BUCKETS]).toBe(16);
      }
      expect(valueOf(metrics.get(semconv.METRIC_MAP_BUCKETS), { [NAME]: 'sessions' })).toBe(16);
      expect(valueOf(metrics.get(semconv.METRIC_MAP_HINT), { [NAME]: 'sessions' })).toBe(100);
    } finally {
      await harness.shutdown();
    }
  });
});

describe('spans of the caller', () => {
  let harness: TelemetryHarness;
  afterEach(() => harness.shutdown());

  test('the grow span is linked to the span active at growth start, which gets an event', () => {
    harness = new TelemetryHarness();
    const map = new PresizedMap<string, number>({ name: 'links', seed: 1 });
    fill(map, 0, 8);
    const request = harness.tracer.startActiveSpan('request', (span) => {
      fill(map, 8, 9); // the ninth insert at B = 0 starts the first doubling
      span.end();
      return span;
    });
    fill(map, 9, 20); // finishes the evacuation outside the request
    const [grow] = harness.finishedSpans(semconv.SPAN_MAP_GROW);
    expect(grow).toBeDefined();
    expect(grow!.links.map((l) => l.context.spanId)).toEqual([request.spanContext().spanId]);
    expect(grow!.spanContext().traceId).not.toBe(request.spanContext().traceId);
    const [requestSpan] = harness.finishedSpans('request');
    const started = requestSpan!.events.filter((e) => e.name === semconv.EVENT_MAP_GROWTH_STARTED);
    expect(started).toHaveLength(1);
    expect(started[0]!.attributes).toMatchObject({
      [NAME]: 'links',
      [semconv.ATTR_GROWTH_OLD_BUCKETS]: 1,
      [semconv.ATTR_GROWTH_NEW_BUCKETS]: 2,
    });
  });

  test('an operation that evacuates longer than stallThresholdMs adds a stall event', () => {
    harness = new TelemetryHarness({ stallThresholdMs: 0 });
    const map = new PresizedMap<string, number>({ name: 'stalls', seed: 3 });
    fill(map, 0, 300);
    harness.tracer.startActiveSpan('request', (span) => {
      fill(map, 300, 500);
      span.end();
    });
    const [request] = harness.finishedSpans('request');
    const stalls = request!.events.filter((e) => e.name === semconv.EVENT_MAP_EVACUATION_STALL);
    // Only the doubling at 416 entries starts and ends inside the request; every one of its
    // evacuating writes took more than 0 ms.
    const inside = harness
      .finishedSpans(semconv.SPAN_MAP_GROW)
      .filter((s) => (s.attributes[semconv.ATTR_GROWTH_SIZE] as number) >= 300);
    expect(inside).toHaveLength(1);
    expect(stalls).toHaveLength(inside[0]!.attributes[semconv.ATTR_GROWTH_EVACUATION_STEPS] as number);
    expect(stalls[0]!.attributes).toMatchObject({ [NAME]: 'stalls' });
    expect(stalls[0]!.attributes![semconv.ATTR_EVACUATION_DURATION]).toBeGreaterThan(0);
  });

  test('the default threshold (1 ms) leaves a healthy request without stall events', () => {
    harness = new TelemetryHarness();
    const map = new PresizedMap<string, number>({ name: 'quiet', hint: 10_000, seed: 3 });
    harness.tracer.startActiveSpan('request', (span) => {
      fill(map, 0, 2_000);
      span.end();
    });
    const [request] = harness.finishedSpans('request');
    expect(request!.events).toHaveLength(0);
  });
});

describe('per-evacuation span events', () => {
  test('off by default; with sampleRate 1 every evacuation step is an event on its grow span', async () => {
    for (const [config, expectAll] of [
      [{}, false],
      [{ evacuationEvents: { sampleRate: 1 } }, true],
    ] as const) {
      const harness = new TelemetryHarness(config);
      try {
        const map = new PresizedMap<string, number>({ name: 'sampled', seed: 5 });
        // Up to B = 8: no growth has more steps than the SDK keeps events on a span (128).
        fill(map, 0, 1_000);
        for (const span of harness.finishedSpans(semconv.SPAN_MAP_GROW)) {
          const events = span.events.filter((e) => e.name === semconv.EVENT_MAP_EVACUATION);
          const steps = span.attributes[semconv.ATTR_GROWTH_EVACUATION_STEPS] as number;
          expect(events).toHaveLength(expectAll ? steps : 0);
          if (expectAll) {
            const last = events[events.length - 1]!.attributes!;
            expect(last[semconv.ATTR_EVACUATION_PROGRESS]).toBe(1);
          }
        }
      } finally {
        await harness.shutdown();
      }
    }
  });
});

describe('disable() during a growth', () => {
  test('ends the open grow span with outcome disabled, so it is exported', () => {
    const harness = new TelemetryHarness();
    try {
      const map = new PresizedMap<string, number>({ name: 'disabled-mid-growth', seed: 9 });
      fill(map, 0, 105); // the 105th insert starts the doubling from B = 4 to B = 5
      expect(map.stats().growing).toBe(true);
      harness.instrumentation.disable();
      const ended = harness
        .finishedSpans(semconv.SPAN_MAP_GROW)
        .filter((s) => s.attributes[semconv.ATTR_GROWTH_OLD_BUCKETS] === 16);
      expect(ended.map((s) => s.attributes[semconv.ATTR_GROWTH_OUTCOME])).toEqual(['disabled']);
      // Growths after disable() are not heard: no span starts or ends for them.
      const before = harness.finishedSpans(semconv.SPAN_MAP_GROW).length;
      fill(map, 105, 400);
      expect(map.stats().growths).toBeGreaterThan(5);
      expect(harness.finishedSpans(semconv.SPAN_MAP_GROW)).toHaveLength(before);
    } finally {
      void harness.shutdown();
    }
  });
});

describe('clear() during a growth', () => {
  test('ends the grow span with outcome cleared', async () => {
    const harness = new TelemetryHarness();
    try {
      const map = new PresizedMap<string, number>({ name: 'cleared', seed: 9 });
      fill(map, 0, 105); // the 105th insert starts the doubling from B = 4 to B = 5
      expect(map.stats().growing).toBe(true);
      expect(
        harness
          .finishedSpans(semconv.SPAN_MAP_GROW)
          .filter((s) => s.attributes[semconv.ATTR_GROWTH_OLD_BUCKETS] === 16),
      ).toHaveLength(0);
      map.clear();
      const cleared = harness
        .finishedSpans(semconv.SPAN_MAP_GROW)
        .filter((s) => s.attributes[semconv.ATTR_GROWTH_OUTCOME] === 'cleared');
      expect(cleared).toHaveLength(1);
      expect(cleared[0]!.attributes[semconv.ATTR_GROWTH_OLD_BUCKETS]).toBe(16);
      const metrics = await harness.metrics();
      expect(valueOf(metrics.get(semconv.METRIC_MAP_ENTRIES), { [NAME]: 'cleared' })).toBe(0);
      expect(valueOf(metrics.get(semconv.METRIC_MAP_GROWING), { [NAME]: 'cleared' })).toBe(0);
    } finally {
      await harness.shutdown();
    }
  });
});

describe('gauges during a growth', () => {
  test('growing is 1 and evacuation progress is evacuated / old buckets', async () => {
    const harness = new TelemetryHarness();
    try {
      const map = new PresizedMap<string, number>({ name: 'midway', seed: 11 });
      fill(map, 0, 13 * 2 ** 9 + 1 + 40); // starts the doubling to B = 11, then 40 more writes
      const stats = map.stats();
      expect(stats.growing).toBe(true);
      const metrics = await harness.metrics();
      const where = { [NAME]: 'midway' };
      expect(valueOf(metrics.get(semconv.METRIC_MAP_GROWING), where)).toBe(1);
      expect(valueOf(metrics.get(semconv.METRIC_MAP_EVACUATION_PROGRESS), where)).toBeCloseTo(
        stats.evacuated / stats.oldBuckets,
        12,
      );
      expect(valueOf(metrics.get(semconv.METRIC_MAP_BUCKETS), where)).toBe(2 ** 11);
    } finally {
      await harness.shutdown();
    }
  });

  test('maps sharing a name are one series: sizes summed, load factor over all buckets', async () => {
    const harness = new TelemetryHarness();
    try {
      const a = new PresizedMap<string, number>({ name: 'twins', hint: 100, seed: 1 });
      const b = new PresizedMap<string, number>({ name: 'twins', hint: 1_000, seed: 2 });
      fill(a, 0, 50);
      fill(b, 0, 700);
      const metrics = await harness.metrics();
      const where = { [NAME]: 'twins' };
      expect(pointsOf(metrics.get(semconv.METRIC_MAP_ENTRIES), where)).toHaveLength(1);
      expect(valueOf(metrics.get(semconv.METRIC_MAP_ENTRIES), where)).toBe(750);
      expect(valueOf(metrics.get(semconv.METRIC_MAP_HINT), where)).toBe(1_100);
      const buckets = a.stats().buckets + b.stats().buckets;
      expect(valueOf(metrics.get(semconv.METRIC_MAP_BUCKETS), where)).toBe(buckets);
      expect(valueOf(metrics.get(semconv.METRIC_MAP_LOAD_FACTOR), where)).toBeCloseTo(750 / buckets, 12);
    } finally {
      await harness.shutdown();
    }
  });
});

describe('enable and disable', () => {
  test('a disabled instrumentation records nothing, and records again once enabled', async () => {
    const harness = new TelemetryHarness();
    try {
      harness.instrumentation.disable();
      const map = new PresizedMap<string, number>({ name: 'toggled', seed: 4 });
      fill(map, 0, 1_000); // 7 doublings while nobody listens
      expect(harness.finishedSpans(semconv.SPAN_MAP_GROW)).toHaveLength(0);
      let metrics = await harness.metrics();
      expect(valueOf(metrics.get(semconv.METRIC_MAP_GROWTHS), { [NAME]: 'toggled' })).toBe(0);
      expect(pointsOf(metrics.get(semconv.METRIC_MAP_ENTRIES), { [NAME]: 'toggled' })).toHaveLength(0);

      harness.instrumentation.enable();
      fill(map, 1_000, 2_000); // one more doubling, from B = 8 to B = 9
      metrics = await harness.metrics();
      expect(valueOf(metrics.get(semconv.METRIC_MAP_GROWTHS), { [NAME]: 'toggled' })).toBe(1);
      // A map created before enable() is known from its first event onwards.
      expect(valueOf(metrics.get(semconv.METRIC_MAP_ENTRIES), { [NAME]: 'toggled' })).toBe(2_000);
    } finally {
      await harness.shutdown();
    }
  });
});

describe('evacuation stalls between two collections', () => {
  test('however many arrive, the histogram holds each once, in the bucket its raw value belongs to', async () => {
    const harness = new TelemetryHarness();
    const raw: number[] = [];
    const listen = (message: unknown) => {
      const event = message as EvacuateEvent;
      if (event.name === 'large') raw.push(event.durationNs / 1e9);
    };
    diagnostics_channel.subscribe(MAP_CHANNELS.evacuate, listen);
    try {
      const map = new PresizedMap<string, number>({ name: 'large', seed: 13 });
      fill(map, 0, 250_000); // 16 doublings, at least 32,768 evacuating writes
      const metrics = await harness.metrics();
      const steps = harness
        .finishedSpans(semconv.SPAN_MAP_GROW)
        .reduce((n, s) => n + (s.attributes[semconv.ATTR_GROWTH_EVACUATION_STEPS] as number), 0);
      expect(steps).toBeGreaterThan(32_000);
      expect(raw).toHaveLength(steps);
      const stall = histogramOf(metrics.get(semconv.METRIC_MAP_EVACUATION_STALL), { [NAME]: 'large' });
      expect(stall.count).toBe(steps);
      expect(stall.min).toBe(Math.min(...raw));
      expect(stall.max).toBe(Math.max(...raw));
      expect(stall.sum).toBeCloseTo(
        raw.reduce((s, v) => s + v, 0),
        9,
      );
      const counts = new Array<number>(EVACUATION_STALL_BUCKETS.length + 1).fill(0);
      for (const v of raw) {
        const i = EVACUATION_STALL_BUCKETS.findIndex((b) => v <= b);
        counts[i === -1 ? EVACUATION_STALL_BUCKETS.length : i]!++;
      }
      expect(stall.counts).toEqual(counts);
      // Nothing is left over for the next collection.
      const again = await harness.metrics();
      expect(histogramOf(again.get(semconv.METRIC_MAP_EVACUATION_STALL), { [NAME]: 'large' }).count).toBe(steps);
    } finally {
      diagnostics_channel.unsubscribe(MAP_CHANNELS.evacuate, listen);
      await harness.shutdown();
    }
  }, 30_000);
});

describe('a ShardedMap', () => {
  test('its shards, which share the map name, report as one series; every shard growth is counted', async () => {
    const harness = new TelemetryHarness();
    try {
      const map = new ShardedMap<string, number>({ name: 'sharded', shards: 4, seed: 21 });
      for (let i = 0; i < 100_000; i++) map.set(`dev_${i.toString(16).padStart(8, '0')}`, i);
      const stats = map.stats();
      const shardGrowths = stats.shards.reduce((n, s) => n + s.growths, 0);
      const shardBuckets = stats.shards.reduce((n, s) => n + s.buckets, 0);
      const metrics = await harness.metrics();
      const where = { [NAME]: 'sharded' };
      expect(valueOf(metrics.get(semconv.METRIC_MAP_GROWTHS), where)).toBe(shardGrowths);
      expect(pointsOf(metrics.get(semconv.METRIC_MAP_ENTRIES), where)).toHaveLength(1);
      expect(valueOf(metrics.get(semconv.METRIC_MAP_ENTRIES), where)).toBe(100_000);
      expect(valueOf(metrics.get(semconv.METRIC_MAP_BUCKETS), where)).toBe(shardBuckets);
      const growing = stats.shards.filter((s) => s.growing).length;
      expect(harness.finishedSpans(semconv.SPAN_MAP_GROW)).toHaveLength(shardGrowths - growing);
    } finally {
      await harness.shutdown();
    }
  });
});

describe('registerInstrumentations', () => {
  test('wires the instrumentation to the given providers', async () => {
    const harness = new TelemetryHarness({ enabled: false });
    try {
      const instrumentation = new PresizedMapInstrumentation();
      const unregister = registerInstrumentations({
        instrumentations: [instrumentation],
        tracerProvider: harness.tracerProvider,
        meterProvider: harness.meterProvider,
      });
      const map = new PresizedMap<string, number>({ name: 'registered', seed: 2 });
      fill(map, 0, 1_000);
      unregister();
      fill(map, 1_000, 2_000); // one more doubling, after unregistering: not seen
      expect(harness.finishedSpans(semconv.SPAN_MAP_GROW)).toHaveLength(8);
      const metrics = await harness.metrics();
      expect(valueOf(metrics.get(semconv.METRIC_MAP_GROWTHS), { [NAME]: 'registered' })).toBe(8);
    } finally {
      await harness.shutdown();
    }
  });
});
