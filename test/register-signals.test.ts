// register flushes telemetry when the service is stopped, without changing how it stops: with no
// handler of its own the service dies by the signal (as without telemetry); with its own handler
// the service decides, and telemetry is flushed meanwhile.
import { OtlpReceiver } from './support/otlp-receiver.js';
import { pointsFromJson } from './support/otlp-json.js';
import { startService } from './support/service-process.js';

jest.setTimeout(60_000);

async function stopService(mode: 'serve' | 'handler', signal: NodeJS.Signals) {
  const receiver = new OtlpReceiver();
  const endpoint = await receiver.start();
  try {
    const service = startService({
      preload: '--import',
      entry: 'register-service.mjs',
      env: {
        OTEL_SERVICE_NAME: 'presize-signals',
        OTEL_EXPORTER_OTLP_ENDPOINT: endpoint,
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json',
        // No periodic export happens while the test runs: what arrives was flushed on the signal.
        OTEL_METRIC_EXPORT_INTERVAL: '600000',
        FIXTURE_MODE: mode,
        FIXTURE_ENTRIES: '20000',
      },
    });
    await service.line('ready');
    expect(receiver.received('/v1/metrics')).toHaveLength(0);
    service.child.kill(signal);
    const exit = await service.exited;
    const growths = receiver
      .received('/v1/metrics')
      .flatMap((r) => pointsFromJson(r.body))
      .filter((p) => p.metric === 'presize.map.growths' && p.attributes['presize.map.name'] === 'devices');
    return { exit, growths, lines: service.lines, stderr: service.stderr() };
  } finally {
    await receiver.stop();
  }
}

describe.each(['SIGTERM', 'SIGINT'] as const)('%s to a service without a handler of its own', (signal) => {
  test('flushes the metrics, then the process dies by the signal', async () => {
    const { exit, growths, stderr } = await stopService('serve', signal);
    expect(exit).toEqual({ code: null, signal });
    // 20,000 inserts with no hint: 12 doublings.
    expect(growths.map((p) => p.value)).toEqual([12]);
    expect(stderr).toBe('');
  });
});

describe('SIGTERM to a service with its own handler', () => {
  test('the handler runs and chooses the exit code; the metrics are flushed meanwhile', async () => {
    const { exit, growths, lines } = await stopService('handler', 'SIGTERM');
    expect(lines.some((l) => l.appHandler === true)).toBe(true);
    expect(exit).toEqual({ code: 3, signal: null });
    expect(growths.map((p) => p.value)).toEqual([12]);
  });
});
