import { DiagLogLevel } from '@opentelemetry/api';
import type { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { once } from 'node:events';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { envProblems } from '../src/env-problems.js';
import { metricReadersFromEnv } from '../src/metric-readers.js';
import { OnceLogger } from '../src/once-logger.js';
import { DIAGNOSTICS_RECOVERY } from '@presize/gpu';

describe('OnceLogger', () => {
  /** What OnceLogger writes for a message the first time it is seen. */
  const shownOnce = (level: string, message: string, ...rest: string[]): [string, unknown[]] => [
    level,
    [`@presize/instrumentation: ${message}`, ...rest, '(shown once; repeats are not logged)'],
  ];
  /** What OnceLogger writes when a source whose failure it showed recovers. */
  const recovered = (level: string, message: string, ...rest: string[]): [string, unknown[]] => [
    level,
    [`@presize/instrumentation: ${message}`, ...rest, '(its failures will be shown again if they recur)'],
  ];
  function recording(lessThanErrorsFrom?: string, threshold?: DiagLogLevel) {
    const written: [string, unknown[]][] = [];
    const sink = {
      error: (...a: unknown[]) => written.push(['error', a]),
      warn: (...a: unknown[]) => written.push(['warn', a]),
      info: (...a: unknown[]) => written.push(['info', a]),
      debug: (...a: unknown[]) => written.push(['debug', a]),
    };
    return { written, logger: new OnceLogger(sink, lessThanErrorsFrom, threshold) };
  }

  test('writes a failure once however many exports repeat it, numbers aside', () => {
    const { written, logger } = recording();
    for (let i = 0; i < 50; i++) {
      logger.error(`{"message":"connect ECONNREFUSED 127.0.0.1:${4318 + (i % 3)}","stack":"Error: ..."}`);
      logger.error('PeriodicExportingMetricReader: metrics export failed', new Error(`timeout after ${i} ms`));
    }
    expect(written).toHaveLength(2);
    // The JSON the SDK's error handler produces is shown by its message, without the stack.
    expect(written[0]![1][0]).toBe('@presize/instrumentation: connect ECONNREFUSED 127.0.0.1:4318');
    expect(written[1]![0]).toBe('error');
  });

  test('given a namespace, writes warnings only from component loggers under it, and every error', () => {
    const { written, logger } = recording('@presize/instrumentation/');
    logger.warn('OTEL_TRACES_EXPORTER contains "none". SDK will not be initialized.');
    logger.info('@opentelemetry/instrumentation-runtime-node', 'enabled');
    logger.warn('@presize/instrumentation/gpu', 'GPU values withdrawn (unreachable): no answer');
    logger.error('PeriodicExportingMetricReader: metrics export failed');
    expect(written).toEqual([
      shownOnce('warn', '@presize/instrumentation/gpu', 'GPU values withdrawn (unreachable): no answer'),
      shownOnce('error', 'PeriodicExportingMetricReader: metrics export failed'),
    ]);
  });

  test('shows a failure again after its source recovered, and writes the recovery', () => {
    const { written, logger } = recording('@presize/instrumentation/');
    const gpu = '@presize/instrumentation/gpu';
    for (let i = 0; i < 3; i++) logger.warn(gpu, 'GPU values withdrawn (unreachable): no answer');
    logger.error('PeriodicExportingMetricReader: metrics export failed');
    logger.warn(gpu, 'http://x/metrics: GPU values are back after unreachable', DIAGNOSTICS_RECOVERY);
    // The recovery of the GPU source does not close the SDK's export failure.
    logger.error('PeriodicExportingMetricReader: metrics export failed');
    for (let i = 0; i < 3; i++) logger.warn(gpu, 'GPU values withdrawn (unreachable): no answer');
    logger.warn('metrics export (otlp) succeeds again', DIAGNOSTICS_RECOVERY);
    logger.error('PeriodicExportingMetricReader: metrics export failed');
    expect(written).toEqual([
      shownOnce('warn', '@presize/instrumentation/gpu', 'GPU values withdrawn (unreachable): no answer'),
      shownOnce('error', 'PeriodicExportingMetricReader: metrics export failed'),
      recovered('warn', '@presize/instrumentation/gpu', 'http://x/metrics: GPU values are back after unreachable'),
      shownOnce('warn', '@presize/instrumentation/gpu', 'GPU values withdrawn (unreachable): no answer'),
      recovered('warn', 'metrics export (otlp) succeeds again'),
      shownOnce('error', 'PeriodicExportingMetricReader: metrics export failed'),
    ]);
  });

  test('writes no recovery of a source that had nothing written, and honours its level for everything else', () => {
    const { written, logger } = recording(undefined, DiagLogLevel.ERROR);
    logger.warn('metrics export (otlp) succeeds again', DIAGNOSTICS_RECOVERY);
    logger.warn('a warning below the level asked for');
    expect(written).toEqual([]);
    logger.error('PeriodicExportingMetricReader: metrics export failed');
    logger.warn('metrics export (otlp) succeeds again', DIAGNOSTICS_RECOVERY);
    logger.error('PeriodicExportingMetricReader: metrics export failed');
    expect(written.map(([level, args]) => [level, args[0]])).toEqual([
      ['error', '@presize/instrumentation: PeriodicExportingMetricReader: metrics export failed'],
      ['error', '@presize/instrumentation: metrics export (otlp) succeeds again'],
      ['error', '@presize/instrumentation: PeriodicExportingMetricReader: metrics export failed'],
    ]);
  });

  test('keeps levels apart and stops remembering after 200 distinct messages', () => {
    const { written, logger } = recording();
    logger.warn('same words');
    logger.error('same words');
    expect(written.map(([level]) => level)).toEqual(['warn', 'error']);
    for (let i = 0; i < 500; i++)
      logger.info(`distinct ${String.fromCharCode(97 + (i % 26))}${String.fromCharCode(97 + Math.floor(i / 26))}`);
    expect(written.length).toBe(200 + 1);
    expect(String(written.at(-1)![1][0])).toMatch(/more than 200 distinct/);
  });
});

describe('envProblems', () => {
  test('names each variable and value the SDK would not understand', () => {
    expect(
      envProblems({
        OTEL_METRICS_EXPORTER: 'prometheus,promethus',
        OTEL_TRACES_EXPORTER: 'otlp',
        OTEL_EXPORTER_OTLP_PROTOCOL: 'http',
        OTEL_EXPORTER_PROMETHEUS_PORT: '94640',
      }),
    ).toEqual([
      'OTEL_METRICS_EXPORTER="prometheus,promethus": unknown "promethus" ignored (expected a comma-separated list of otlp, prometheus, console, none); metrics are exported with prometheus',
      'OTEL_EXPORTER_OTLP_PROTOCOL="http": expected one of http/protobuf, http/json, grpc; the SDK uses http/protobuf',
      'OTEL_EXPORTER_PROMETHEUS_PORT="94640": expected a port number from 1 to 65535; the Prometheus endpoint listens on 9464, the default',
    ]);
  });

  test('says what happens to a signal whose exporters are all unknown: it is not exported, as the readers are built', () => {
    const env = { OTEL_METRICS_EXPORTER: 'bogus', OTEL_TRACES_EXPORTER: 'jaeger', OTEL_LOGS_EXPORTER: 'otlp,file' };
    expect(envProblems(env)).toEqual([
      'OTEL_METRICS_EXPORTER="bogus": unknown "bogus" ignored (expected a comma-separated list of otlp, prometheus, console, none); metrics are not exported',
      'OTEL_TRACES_EXPORTER="jaeger": unknown "jaeger" ignored (expected a comma-separated list of otlp, console, zipkin, none); traces are not exported',
      'OTEL_LOGS_EXPORTER="otlp,file": unknown "file" ignored (expected a comma-separated list of otlp, console, none); logs are exported with otlp',
    ]);
    expect(metricReadersFromEnv(env, () => [])).toEqual([]);
  });

  test.each(['0', '99999', '-1', '9464x', '1e3'])(
    'OTEL_EXPORTER_PROMETHEUS_PORT=%s: one problem, and the endpoint is built for 9464, as it says',
    (port) => {
      expect(envProblems({ OTEL_EXPORTER_PROMETHEUS_PORT: port })).toEqual([
        `OTEL_EXPORTER_PROMETHEUS_PORT=${JSON.stringify(port)}: expected a port number from 1 to 65535; the Prometheus endpoint listens on 9464, the default`,
      ]);
      const [reader] = metricReadersFromEnv(
        { OTEL_METRICS_EXPORTER: 'prometheus', OTEL_EXPORTER_PROMETHEUS_PORT: port },
        () => [],
      );
      expect(Reflect.get(reader!, '_port')).toBe(9464);
    },
  );

  test('accepts the documented values and unset variables', () => {
    expect(
      envProblems({
        OTEL_METRICS_EXPORTER: 'otlp, prometheus',
        OTEL_TRACES_EXPORTER: 'none',
        OTEL_EXPORTER_OTLP_METRICS_PROTOCOL: 'http/json',
        OTEL_EXPORTER_PROMETHEUS_PORT: '9464',
      }),
    ).toEqual([]);
  });
});

describe('metricReadersFromEnv (the readers register builds in place of NodeSDK)', () => {
  const names = (env: NodeJS.ProcessEnv) => metricReadersFromEnv(env, () => []).map((r) => r.constructor.name);
  test('follows OTEL_METRICS_EXPORTER as NodeSDK does: otlp by default, none wins', () => {
    expect(names({})).toEqual(['PeriodicExportingMetricReader']);
    expect(names({ OTEL_METRICS_EXPORTER: 'none,otlp' })).toEqual([]);
    expect(names({ OTEL_METRICS_EXPORTER: 'console, otlp, console' })).toEqual([
      'PeriodicExportingMetricReader',
      'PeriodicExportingMetricReader',
    ]);
  });

  test('a Prometheus reader waits to be started, then binds where OTEL_EXPORTER_PROMETHEUS_HOST/PORT say', async () => {
    const probe = createServer().listen(0, '127.0.0.1');
    await once(probe, 'listening');
    const port = (probe.address() as AddressInfo).port;
    probe.close();
    await once(probe, 'close');
    const previous = {
      host: process.env.OTEL_EXPORTER_PROMETHEUS_HOST,
      port: process.env.OTEL_EXPORTER_PROMETHEUS_PORT,
    };
    process.env.OTEL_EXPORTER_PROMETHEUS_HOST = '127.0.0.1';
    process.env.OTEL_EXPORTER_PROMETHEUS_PORT = String(port);
    const [reader] = metricReadersFromEnv(
      { OTEL_METRICS_EXPORTER: 'prometheus', OTEL_EXPORTER_PROMETHEUS_PORT: String(port) },
      () => [],
    );
    try {
      const server = Reflect.get(reader!, '_server') as Server;
      // register starts it once the resource has settled.
      expect(server.listening).toBe(false);
      await (reader as PrometheusExporter).startServer();
      expect(server.address()).toMatchObject({ address: '127.0.0.1', port });
      expect((await fetch(`http://127.0.0.1:${port}/metrics`)).status).toBe(200);
    } finally {
      await reader!.shutdown();
      for (const [key, value] of [
        ['OTEL_EXPORTER_PROMETHEUS_HOST', previous.host],
        ['OTEL_EXPORTER_PROMETHEUS_PORT', previous.port],
      ] as const) {
        if (value === undefined) delete process.env[key];
        else process.env[key] = value;
      }
    }
  });
});

describe('OnceLogger, the same failure from two call paths', () => {
  test('is one message when what is shown is the same', () => {
    const written: unknown[][] = [];
    const log = (...a: unknown[]) => written.push(a);
    const logger = new OnceLogger({ error: log, warn: log, info: log, debug: log });
    logger.error(JSON.stringify({ message: 'socket hang up', stack: 'Error: socket hang up\n    at metrics' }));
    logger.error(JSON.stringify({ message: 'socket hang up', stack: 'Error: socket hang up\n    at traces' }));
    expect(written).toHaveLength(1);
  });
});
