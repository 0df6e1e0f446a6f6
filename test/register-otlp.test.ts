// register with OTEL_METRICS_EXPORTER/OTEL_TRACES_EXPORTER=otlp: a receiver on 127.0.0.1 gets the
// service's metrics and growth spans over OTLP/HTTP, in both encodings, and a collector that is
// down costs the service neither its work nor its memory, and is reported once.
import type { ExportedPoint, ExportedSpan } from './support/otlp-data.js';
import { pointsFromJson, spansFromJson } from './support/otlp-json.js';
import { pointsFromProtobuf, spansFromProtobuf } from './support/otlp-protobuf.js';
import { DroppingCollector, OtlpReceiver } from './support/otlp-receiver.js';
import { startService } from './support/service-process.js';

jest.setTimeout(90_000);

const ENCODINGS = [
  { protocol: 'http/json', points: pointsFromJson, spans: spansFromJson, contentType: 'application/json' },
  {
    protocol: 'http/protobuf',
    points: pointsFromProtobuf,
    spans: spansFromProtobuf,
    contentType: 'application/x-protobuf',
  },
] as const;

describe.each(ENCODINGS)(
  'OTLP over $protocol',
  ({ protocol, points: decodePoints, spans: decodeSpans, contentType }) => {
    let receiver: OtlpReceiver;
    let points: ExportedPoint[];
    let spans: ExportedSpan[];
    let exit: { code: number | null; signal: NodeJS.Signals | null };

    beforeAll(async () => {
      receiver = new OtlpReceiver();
      const endpoint = await receiver.start();
      // The service ends by itself with exit code 7; the export interval is long, so what arrives
      // is what register flushed before the process exited.
      const service = startService({
        preload: '--import',
        entry: 'register-service.mjs',
        env: {
          OTEL_SERVICE_NAME: 'presize-otlp-test',
          OTEL_RESOURCE_ATTRIBUTES: 'service.namespace=presize,deployment.environment.name=test',
          OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
          OTEL_EXPORTER_OTLP_PROTOCOL: protocol,
          OTEL_METRIC_EXPORT_INTERVAL: '600000',
          FIXTURE_MODE: 'exit',
          FIXTURE_EXIT_CODE: '7',
        },
      });
      exit = await service.exited;
      expect(service.stderr()).toBe('');
      points = receiver.received('/v1/metrics').flatMap((r) => {
        expect(r.contentType).toContain(contentType);
        return decodePoints(r.body);
      });
      spans = receiver.received('/v1/traces').flatMap((r) => decodeSpans(r.body));
    });

    afterAll(() => receiver.stop(), 60_000);

    const point = (metric: string, attributes: Record<string, string> = {}) =>
      points.filter((p) => p.metric === metric && Object.entries(attributes).every(([k, v]) => p.attributes[k] === v));

    test('the process keeps its own exit code', () => {
      expect(exit).toEqual({ code: 7, signal: null });
    });

    test('growths, evacuated buckets and gauges of 120,000 inserts, with OpenTelemetry names and units', () => {
      const devices = { 'presize.map.name': 'devices' };
      const growths = point('presize.map.growths', devices);
      expect(growths).toHaveLength(1);
      expect(growths[0]).toMatchObject({
        type: 'sum',
        unit: '{growth}',
        value: 15,
        attributes: { 'presize.map.growth.kind': 'double', 'presize.map.growth.trigger': 'load_factor' },
      });
      expect(point('presize.map.evacuated_buckets', devices)[0]?.value).toBe(2 ** 15 - 1);
      expect(point('presize.map.entries', devices)[0]).toMatchObject({
        type: 'gauge',
        unit: '{entry}',
        value: 120_000,
      });
      expect(point('presize.map.load_factor', devices)[0]).toMatchObject({ unit: '1' });
      expect(point('presize.map.growth.duration', devices)[0]).toMatchObject({
        type: 'histogram',
        unit: 's',
        count: 15,
      });
      expect(point('presize.map.evacuation.stall', devices)[0]!.count).toBeGreaterThan(16_000);
    });

    test('the resource names the service from the standard variables', () => {
      expect(points[0]!.resource).toMatchObject({
        'service.name': 'presize-otlp-test',
        'service.namespace': 'presize',
        'deployment.environment.name': 'test',
      });
    });

    test('15 presize.map.grow spans, each linked to the request that started its growth', () => {
      const grows = spans.filter(
        (s) => s.name === 'presize.map.grow' && s.attributes['presize.map.name'] === 'devices',
      );
      expect(grows).toHaveLength(15);
      expect(
        grows.map((s) => s.attributes['presize.map.growth.new_buckets']).sort((a, b) => Number(a) - Number(b)),
      ).toEqual(Array.from({ length: 15 }, (_, i) => 2 ** (i + 1)));
      for (const span of grows) {
        expect(span.links).toBe(1);
        expect(span.attributes['presize.map.growth.outcome']).toBe('completed');
        expect(span.resource['service.name']).toBe('presize-otlp-test');
      }
      expect(spans.filter((s) => s.name === 'request')).toHaveLength(12);
    });
  },
);

describe('a collector that is down', () => {
  test('does not stop the workload or grow its memory, and is reported once', async () => {
    const collector = new DroppingCollector();
    const endpoint = await collector.start();
    try {
      const rounds = 25;
      const service = startService({
        preload: '--import',
        entry: 'register-service.mjs',
        nodeFlags: ['--expose-gc'],
        env: {
          OTEL_SERVICE_NAME: 'presize-collector-down',
          OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
          OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
          // Exports every half second, each given up after 200 ms (retries included): an export
          // interval shorter than OTEL_EXPORTER_OTLP_TIMEOUT would pile up retrying exports.
          OTEL_METRIC_EXPORT_INTERVAL: '500',
          OTEL_EXPORTER_OTLP_TIMEOUT: '200',
          OTEL_BSP_SCHEDULE_DELAY: '50',
          FIXTURE_MODE: 'rounds',
          FIXTURE_ROUNDS: String(rounds),
          FIXTURE_ENTRIES: '30000',
          FIXTURE_PAUSE_MS: '100',
        },
      });
      const exit = await service.exited;
      expect(exit).toEqual({ code: 0, signal: null });

      const reports = service.lines.filter((l) => 'round' in l) as {
        round: number;
        growths: number;
        heapUsed: number;
      }[];
      expect(reports).toHaveLength(rounds);
      expect(service.lines.at(-1)).toEqual({ done: true });
      // 30,000 inserts with no hint: 13 doublings, every round, export failures or not.
      expect(new Set(reports.map((r) => r.growths))).toEqual(new Set([13]));
      // Spans wait in a bounded queue and are dropped when it is full; metrics are cumulative.
      const settled = reports[4]!.heapUsed;
      const last = Math.max(...reports.slice(-5).map((r) => r.heapUsed));
      expect(last - settled).toBeLessThan(8 * 2 ** 20);

      // The exporters tried, and kept trying...
      expect(collector.connections).toBeGreaterThanOrEqual(10);
      // ...and each kind of failure (refused, reset, hung up, timed out; from the span and the
      // metric exporter) was written once, not once per export.
      const lines = service
        .stderr()
        .split('\n')
        .filter((l) => l.startsWith('@presize/instrumentation:'));
      expect(lines.length).toBeGreaterThanOrEqual(1);
      expect(lines.length).toBeLessThanOrEqual(8);
      expect(collector.connections).toBeGreaterThan(2 * lines.length);
      expect(new Set(lines).size).toBe(lines.length);
      expect(lines.every((l) => l.endsWith('(shown once; repeats are not logged)'))).toBe(true);
    } finally {
      await collector.stop();
    }
  });
});
