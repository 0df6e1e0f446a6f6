// Starts the device-log service as a child process, instrumented only from the outside by
// `--import @presize/auto-instrumentation/register`, and stops it again.
import { spawn } from 'node:child_process';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';

export const REPOSITORY_ROOT = resolve(__dirname, '..', '..');
export const SERVICE_ENTRY = resolve(REPOSITORY_ROOT, 'auto-instrumentation/examples/device-logs/server.mjs');
const READY_TIMEOUT_MS = 30_000;
const STOP_TIMEOUT_MS = 8_000;

export interface ServiceOptions {
  cache: string;
  /** Port of the service's HTTP API. */
  port: number;
  /** Port of the Prometheus exporter the register entry serves; omit to run without instrumentation. */
  metricsPort?: number;
  /** Extra environment for the child, e.g. OTEL_* overrides. */
  env?: Record<string, string>;
  /**
   * Called with `stop` as soon as the process is spawned, before it listens: a caller that is
   * interrupted during start-up can still stop it.
   */
  onSpawned?: (stop: () => Promise<void>) => void;
}

export interface ServiceExit {
  code: number | null;
  signal: NodeJS.Signals | null;
}

export interface DeviceLogsStats {
  cache: string;
  description: string;
  size: number;
  map: Record<string, number | boolean> | null;
  process: {
    gc: {
      count: number;
      pauseTotalMs: number;
      pauseMaxMs: number;
      pauseHistogram: { boundsMs: number[]; counts: number[] };
    };
    allocatedBytes: number;
    heapUsedBytes: number;
    rssBytes: number;
    uptimeSeconds: number;
  };
}

export interface RunningService {
  cache: string;
  url: string;
  /** host:port of /metrics, when instrumented. */
  metricsTarget?: string;
  description: string;
  pid: number;
  stats(): Promise<DeviceLogsStats>;
  stop(): Promise<void>;
  /** Settles when the process exits, for whatever reason. */
  exited: Promise<ServiceExit>;
  /** The last lines the service wrote on stderr. */
  stderr(): string;
}

/** The environment under which the register entry serves Prometheus metrics on 127.0.0.1:metricsPort. */
export function instrumentationEnv(cache: string, metricsPort: number): Record<string, string> {
  return {
    OTEL_SERVICE_NAME: `device-logs-${cache}`,
    OTEL_METRICS_EXPORTER: 'prometheus',
    OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
    OTEL_EXPORTER_PROMETHEUS_PORT: String(metricsPort),
    OTEL_TRACES_EXPORTER: 'none',
    OTEL_LOGS_EXPORTER: 'none',
    PRESIZE_GPU_SOURCE: 'simulated',
  };
}

export async function startService(options: ServiceOptions): Promise<RunningService> {
  const instrumented = options.metricsPort !== undefined;
  const args = [
    ...(instrumented ? ['--import', '@presize/auto-instrumentation/register'] : []),
    SERVICE_ENTRY,
    '--cache',
    options.cache,
    '--port',
    String(options.port),
  ];
  const env: NodeJS.ProcessEnv = { ...process.env };
  // The child's instrumentation comes from these variables alone; none leaks in from the caller.
  for (const name of Object.keys(env)) if (name.startsWith('OTEL_') || name.startsWith('PRESIZE_')) delete env[name];
  Object.assign(env, instrumented ? instrumentationEnv(options.cache, options.metricsPort as number) : {}, options.env);
  const child = spawn(process.execPath, args, { cwd: REPOSITORY_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stderrTail = '';
  child.stderr.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString()).slice(-4_000);
  });
  const exited = new Promise<ServiceExit>((done) => child.once('exit', (code, signal) => done({ code, signal })));

  const stop = async (): Promise<void> => {
    if (child.exitCode !== null || child.signalCode !== null) return;
    child.kill('SIGTERM');
    const killer = setTimeout(() => child.kill('SIGKILL'), STOP_TIMEOUT_MS);
    await exited;
    clearTimeout(killer);
  };
  options.onSpawned?.(stop);

  const ready = new Promise<{ listening: string; description: string }>((resolveReady, reject) => {
    const lines = createInterface({ input: child.stdout });
    lines.on('line', (line) => {
      try {
        const message = JSON.parse(line) as { listening?: string; description?: string };
        if (message.listening) resolveReady({ listening: message.listening, description: message.description ?? '' });
      } catch {
        // Not the announcement line.
      }
    });
    child.once('exit', (code, signal) =>
      reject(
        new Error(
          `device-logs (${options.cache}) exited with ${signal ?? `code ${code}`} before it listened:\n${stderrTail}`,
        ),
      ),
    );
    child.once('error', reject);
    setTimeout(
      () =>
        reject(
          new Error(`device-logs (${options.cache}) did not listen within ${READY_TIMEOUT_MS} ms:\n${stderrTail}`),
        ),
      READY_TIMEOUT_MS,
    ).unref();
  });

  let announced: { listening: string; description: string };
  try {
    announced = await ready;
  } catch (error) {
    await stop();
    throw error;
  }
  const url = announced.listening;
  return {
    cache: options.cache,
    url,
    ...(instrumented ? { metricsTarget: `127.0.0.1:${options.metricsPort}` } : {}),
    description: announced.description,
    pid: child.pid as number,
    async stats() {
      const response = await fetch(`${url}/stats`);
      if (!response.ok) throw new Error(`GET ${url}/stats answered ${response.status}: ${await response.text()}`);
      return (await response.json()) as DeviceLogsStats;
    },
    stop,
    exited,
    stderr: () => stderrTail,
  };
}
