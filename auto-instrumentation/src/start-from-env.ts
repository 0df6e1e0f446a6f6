import { diag, DiagLogLevel, metrics, ProxyTracerProvider, trace } from '@opentelemetry/api';
import { diagLogLevelFromString } from '@opentelemetry/core';
import { RuntimeNodeInstrumentation } from '@opentelemetry/instrumentation-runtime-node';
import { PrometheusExporter } from '@opentelemetry/exporter-prometheus';
import { defaultResource, resourceFromAttributes } from '@opentelemetry/resources';
import type { MetricProducer, MetricReader } from '@opentelemetry/sdk-metrics';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { gpuMetricsFromEnv, gpuResourceAttributes } from '@presize/gpu';
import { LruCacheInstrumentation, mapMetricsProducer, PresizedMapInstrumentation } from '@presize/instrumentation';
import { envProblems } from './env-problems.js';
import { inModuleHooksThread, registerEsmHooks } from './esm-hooks.js';
import { nativeMapsFromEnv } from './native-maps-from-env.js';
import { OnceLogger } from './once-logger.js';
import { metricReadersFromEnv } from './metric-readers.js';
import { installShutdownHooks } from './shutdown-hooks.js';

export interface StartedTelemetry {
  readonly sdk: NodeSDK;
  /** Flushes and stops every exporter; the shutdown hooks call it for you. */
  shutdown(): Promise<void>;
}

const STARTED = Symbol.for('@presize/auto-instrumentation/register');
/** Namespace prefix of the component loggers of this package's instrumentations and GPU metrics. */
const PRESIZE_COMPONENTS = '@presize/instrumentation/';
type Registry = { [STARTED]?: StartedTelemetry | null };

/**
 * Starts the OpenTelemetry Node SDK configured from the standard OTEL_* environment variables,
 * with the presized-map and Node.js runtime instrumentations, and flushes it when the process
 * ends. The SDK itself reads the variables (exporters, protocol, endpoint, resource, Prometheus
 * host and port). Idempotent across copies of this package: the ESM and the CommonJS `register`
 * both land here, and the second call returns what the first started. Returns null when
 * OTEL_SDK_DISABLED is true, and in the thread of the ESM loader it registers, where Node runs
 * `--require` preloads again: the application's thread has the SDK.
 */
export function startTelemetryFromEnv(env: NodeJS.ProcessEnv = process.env): StartedTelemetry | null {
  const registry = globalThis as Registry;
  const started = registry[STARTED];
  if (started !== undefined) return started;
  if (inModuleHooksThread()) return null;
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') {
    registry[STARTED] = null;
    return null;
  }

  // Each distinct diagnostic is written once, so a collector that is down is reported once rather
  // than on every export. Without OTEL_LOG_LEVEL: every error, and the warnings of Presize's own
  // components. Set before anything can report a problem, and again after NodeSDK's constructor,
  // which installs a plain console logger of its own when OTEL_LOG_LEVEL is given.
  const levelGiven = env.OTEL_LOG_LEVEL !== undefined && env.OTEL_LOG_LEVEL.trim() !== '';
  const level = levelGiven ? (diagLogLevelFromString(env.OTEL_LOG_LEVEL) ?? DiagLogLevel.WARN) : DiagLogLevel.WARN;
  const useOnceLogger = (): void => {
    // Recoveries are warnings: diag lets warnings through even when fewer are asked for, and the
    // logger drops what is above the level asked for, recoveries of what it showed excepted.
    diag.setLogger(new OnceLogger(console, levelGiven ? undefined : PRESIZE_COMPONENTS, level), {
      logLevel: Math.max(level, DiagLogLevel.WARN),
      suppressOverrideMessage: true,
    });
  };
  useOnceLogger();
  for (const problem of envProblems(env)) diag.error(problem);
  // Before the SDK creates the instrumentations' module hooks, and before the application imports.
  try {
    registerEsmHooks();
  } catch (error) {
    diag.error(
      `modules loaded with import are not instrumented (lru-cache before 11.3): ${error instanceof Error ? error.message : String(error)}`,
    );
  }
  // The GPU metrics and the map series are MetricProducers (the stalls skip the SDK's
  // per-observation cost that way, and the series of collected maps can be removed), which only readers built with them can export; and
  // a Prometheus reader must not listen before the resource is complete. So register builds the
  // readers NodeSDK would build from the same variables.
  const gpu = gpuMetricsFromEnv(env);
  const maps = new PresizedMapInstrumentation({ metricsExport: 'metric-producer' });
  const producers = (): MetricProducer[] =>
    gpu === undefined ? [mapMetricsProducer(maps)] : [mapMetricsProducer(maps), gpu];
  const metricReaders = metricReadersFromEnv(env, producers);
  // A producer's resource is never exported (the reader keeps its provider's), so the GPU source,
  // and above all a simulated one, is marked on the SDK's resource. NodeSDK merges the detected
  // attributes (OTEL_RESOURCE_ATTRIBUTES, host, process) over the resource it is given.
  const sdk = new NodeSDK({
    ...(gpu === undefined
      ? {}
      : { resource: defaultResource().merge(resourceFromAttributes(gpuResourceAttributes(gpu.source))) }),
    instrumentations: [maps, new RuntimeNodeInstrumentation(), new LruCacheInstrumentation()],
    metricReaders,
  });
  useOnceLogger();
  // PRESIZE_NATIVE_MAPS=observe: native Maps past PRESIZE_NATIVE_MAPS_MIN entries are observed.
  for (const problem of nativeMapsFromEnv(env).problems) diag.error(problem);
  sdk.start();
  let stopped = false;
  void startPrometheusServers(sdk, metricReaders, () => stopped);
  gpu?.start();

  const telemetry: StartedTelemetry = {
    sdk,
    shutdown: async () => {
      stopped = true;
      await gpu?.stop();
      await sdk.shutdown();
    },
  };
  installShutdownHooks({
    shutdown: telemetry.shutdown,
    forceFlush,
  });
  registry[STARTED] = telemetry;
  return telemetry;
}

/**
 * The host detector's `host.id` arrives asynchronously. The periodic OTLP reader waits for it; the
 * Prometheus exporter does not: a scrape that came first would get `target_info` without it and
 * log an error. So its server listens only once the resource has settled. NodeSDK keeps its
 * resource private, hence the guarded lookup; without it the server starts at once.
 */
async function startPrometheusServers(
  sdk: NodeSDK,
  readers: readonly MetricReader[],
  stopped: () => boolean,
): Promise<void> {
  const exporters = readers.filter((r): r is PrometheusExporter => r instanceof PrometheusExporter);
  if (exporters.length === 0) return;
  const resource = Reflect.get(sdk, '_resource') as { waitForAsyncAttributes?: () => Promise<void> } | undefined;
  await resource?.waitForAsyncAttributes?.().catch(() => undefined);
  // Shut down while the resource was settling: a server started now would outlive the SDK.
  if (stopped()) return;
  await Promise.all(
    exporters.map((exporter) =>
      exporter.startServer().catch((error: unknown) => {
        // Node's message names the address, as in "listen EADDRINUSE: address already in use".
        diag.error(
          `the Prometheus exporter serves no metrics: ${error instanceof Error ? error.message : String(error)}`,
        );
      }),
    ),
  );
}

/** NodeSDK has no forceFlush; the providers it registered have, and the API hands them back. */
async function forceFlush(): Promise<void> {
  const tracerProvider = trace.getTracerProvider();
  const providers: object[] = [
    metrics.getMeterProvider(),
    tracerProvider instanceof ProxyTracerProvider ? tracerProvider.getDelegate() : tracerProvider,
  ];
  await Promise.all(
    providers.map((provider) =>
      'forceFlush' in provider && typeof provider.forceFlush === 'function'
        ? (provider.forceFlush as () => Promise<void>)()
        : undefined,
    ),
  );
}
