// A native map's table rebuilds become the same spans and metrics as a presized map's growths,
// through the real PresizedMapInstrumentation and OpenTelemetry SDK.
import { context, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { BasicTracerProvider, InMemorySpanExporter, SimpleSpanProcessor } from '@opentelemetry/sdk-trace-base';
import { PresizedMapInstrumentation } from '../../src/instrumentation/instrumentation';
import { observeMap } from '../../src/native/observe-map';
import { insertRehashIndices } from '../../src/native/v8-table-model';
import { pointValue, testMeterProvider } from '../lru/metrics-reader';

describe('native map rebuilds through PresizedMapInstrumentation', () => {
  it('become presize.map.grow spans, growth counters and histograms, and per-map gauges', async () => {
    const telemetry = testMeterProvider();
    const spans = new InMemorySpanExporter();
    const tracerProvider = new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(spans)] });
    context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
    const instrumentation = new PresizedMapInstrumentation({ stallThresholdMs: 0 });
    instrumentation.setMeterProvider(telemetry.provider);
    instrumentation.setTracerProvider(tracerProvider);
    try {
      const count = 2 ** 16 + 1;
      const map = observeMap(new Map<number, number>(), { name: 'sessions' });
      const request = tracerProvider.getTracer('test').startSpan('request');
      const sessions = new Map<number, number>();
      observeMap(sessions, { name: 'sessions' });
      context.with(trace.setSpan(context.active(), request), () => {
        for (let i = 0; i < count; i++) sessions.set(i, i);
      });
      request.end();
      expect(map.stats().size).toBe(0);

      const rebuilds = insertRehashIndices(count).length;
      const grows = spans.getFinishedSpans().filter((s) => s.name === 'presize.map.grow');
      expect(grows).toHaveLength(rebuilds);
      const last = grows.at(-1);
      expect(last?.attributes).toMatchObject({
        'presize.map.name': 'sessions',
        'presize.map.growth.kind': 'v8_rehash',
        'presize.map.growth.trigger': 'capacity',
        'presize.map.growth.old_buckets': 2 ** 15,
        'presize.map.growth.new_buckets': 2 ** 16,
        'presize.map.growth.size': 2 ** 16,
        'presize.map.growth.evacuation.steps': 1,
        'presize.map.growth.outcome': 'completed',
      });
      // The span runs from before the rebuilding set() to after it.
      const spanNs = (last?.duration[0] ?? 0) * 1e9 + (last?.duration[1] ?? 0);
      expect(spanNs).toBeGreaterThanOrEqual(
        ((last?.attributes['presize.map.growth.evacuation.duration'] as number) ?? 0) * 1e9 * 0.99,
      );
      expect(last?.links).toHaveLength(1);
      const requestSpan = spans.getFinishedSpans().find((s) => s.name === 'request');
      expect(requestSpan?.events.filter((e) => e.name === 'presize.map.growth.started')).toHaveLength(rebuilds);

      const metrics = await telemetry.collect();
      const sessionsRehash = { 'presize.map.name': 'sessions', 'presize.map.growth.kind': 'v8_rehash' };
      expect(pointValue(metrics.get('presize.map.growths'), sessionsRehash)).toBe(rebuilds);
      const duration = pointValue(metrics.get('presize.map.growth.duration'), sessionsRehash) as {
        count: number;
        sum: number;
      };
      expect(duration.count).toBe(rebuilds);
      expect(duration.sum).toBeGreaterThan(0);
      const stall = pointValue(metrics.get('presize.map.evacuation.stall'), { 'presize.map.name': 'sessions' }) as {
        count: number;
      };
      expect(stall.count).toBe(rebuilds);
      // No allocation is measured apart from the rebuild.
      expect(metrics.get('presize.map.growth.allocation.duration') ?? []).toHaveLength(0);
      // Two live maps share the name: the gauges sum them.
      expect(pointValue(metrics.get('presize.map.entries'), { 'presize.map.name': 'sessions' })).toBe(count);
      expect(pointValue(metrics.get('presize.map.buckets'), { 'presize.map.name': 'sessions' })).toBe(2 ** 16 + 2);
    } finally {
      instrumentation.disable();
      await telemetry.provider.shutdown();
      await tracerProvider.shutdown();
    }
  });
});
