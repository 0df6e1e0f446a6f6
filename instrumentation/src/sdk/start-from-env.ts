import { diag, DiagLogLevel, metrics, ProxyTracerProvider, trace } from '@opentelemetry/api';
import { diagLogLevelFromString } from '@opentelemetry/core';
import { RuntimeNodeInstrumentation } from '@opentelemetry/instrumentation-runtime-node';
import { NodeSDK } from '@opentelemetry/sdk-node';
import { PresizedMapInstrumentation } from '../instrumentation/instrumentation.js';
import { LruCacheInstrumentation } from '../lru/instrumentation.js';
import { nativeMapsFromEnv } from '../native/from-env.js';
import { OnceLogger } from './once-logger.js';
import { envProblems } from './env-problems.js';
import { installShutdownHooks } from './shutdown-hooks.js';

export interface StartedTelemetry {
  readonly sdk: NodeSDK;
  /** Flushes and stops every exporter; the shutdown hooks call it for you. */
  shutdown(): Promise<void>;
}

const STARTED = Symbol.for('@presize/instrumentation/register');
type Registry = { [STARTED]?: StartedTelemetry | null };

/**
 * Starts the OpenTelemetry Node SDK configured from the standard OTEL_* environment variables,
 * with the presized-map and Node.js runtime instrumentations, and flushes it when the process
 * ends. The SDK itself reads the variables (exporters, protocol, endpoint, resource, Prometheus
 * host and port). Idempotent across copies of this package: the ESM and the CommonJS `register`
 * both land here, and the second call returns what the first started. Returns null when
 * OTEL_SDK_DISABLED is true.
 */
export function startTelemetryFromEnv(env: NodeJS.ProcessEnv = process.env): StartedTelemetry | null {
  const registry = globalThis as Registry;
  const started = registry[STARTED];
  if (started !== undefined) return started;
  if (env.OTEL_SDK_DISABLED?.trim().toLowerCase() === 'true') {
    registry[STARTED] = null;
    return null;
  }

  const sdk = new NodeSDK({
    instrumentations: [
      new PresizedMapInstrumentation(),
      new RuntimeNodeInstrumentation(),
      new LruCacheInstrumentation(),
    ],
  });
  // Installed after the SDK's constructor, which sets a plain console logger when OTEL_LOG_LEVEL
  // is given; ours writes each distinct message once, so a collector that is down is reported
  // once rather than on every export. Errors only, unless OTEL_LOG_LEVEL asks for more.
  diag.setLogger(new OnceLogger(), {
    logLevel: logLevelFromEnv(env.OTEL_LOG_LEVEL),
    suppressOverrideMessage: true,
  });
  for (const problem of envProblems(env)) diag.error(problem);
  // PRESIZE_NATIVE_MAPS=observe: native Maps past PRESIZE_NATIVE_MAPS_MIN entries are observed.
  for (const problem of nativeMapsFromEnv(env).problems) diag.error(problem);
  sdk.start();
  settleResource(sdk);
  // GPU metrics integration point: when PRESIZE_GPU_SOURCE is set, the GPU metrics module
  // (`gpuMetricsFromEnv(env)` from ../gpu/) is to be started here, on the global MeterProvider.

  const telemetry: StartedTelemetry = { sdk, shutdown: () => sdk.shutdown() };
  installShutdownHooks({
    shutdown: telemetry.shutdown,
    forceFlush,
  });
  registry[STARTED] = telemetry;
  return telemetry;
}

/**
 * The host detector's `host.id` arrives asynchronously. The periodic OTLP reader waits for it;
 * the Prometheus exporter does not, and would serve `target_info` without it and log an error on
 * a scrape that comes first. NodeSDK keeps its resource private, hence the guarded lookup.
 */
function settleResource(sdk: NodeSDK): void {
  const resource = Reflect.get(sdk, '_resource') as
    | { waitForAsyncAttributes?: () => Promise<void> }
    | undefined;
  void resource?.waitForAsyncAttributes?.().catch(() => undefined);
}

function logLevelFromEnv(value: string | undefined): DiagLogLevel {
  if (value === undefined || value.trim() === '') return DiagLogLevel.ERROR;
  return diagLogLevelFromString(value) ?? DiagLogLevel.ERROR;
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
