// The register tests' fixture service as a child process, started with
// `--import`/`--require @presize/auto-instrumentation/register`. It uses the built packages (dist):
// run after `npm run build`.
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { freePort } from '../../tools/ports.js';

export const ROOT = join(__dirname, '..', '..');
export const FIXTURES = join(__dirname, '..', 'fixtures');

/** The environment of a child: the test's, without any OTEL_* or PRESIZE_* variable, plus `env`. */
export function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_') && !k.startsWith('PRESIZE_')),
  );
  return { ...base, OTEL_LOGS_EXPORTER: 'none', ...env };
}

/** Metrics served by the OpenTelemetry Prometheus exporter on `port` (loopback), no traces exported. */
export function prometheusExporterEnv(port: number): Record<string, string> {
  return {
    OTEL_METRICS_EXPORTER: 'prometheus',
    OTEL_TRACES_EXPORTER: 'none',
    OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
    OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
  };
}

export interface Service {
  readonly child: ChildProcess;
  /** Parsed JSON lines the fixture printed on stdout. */
  readonly lines: Record<string, unknown>[];
  stderr(): string;
  /** Resolves with the first line that has `key`. */
  line(key: string): Promise<Record<string, unknown>>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startService(options: {
  preload: '--import' | '--require';
  entry: string;
  env: Record<string, string>;
  nodeFlags?: string[];
}): Service {
  const child = spawn(
    process.execPath,
    [
      ...(options.nodeFlags ?? []),
      options.preload,
      '@presize/auto-instrumentation/register',
      join(FIXTURES, options.entry),
    ],
    { cwd: ROOT, env: childEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: Record<string, unknown>[] = [];
  const waiters: { key: string; resolve: (line: Record<string, unknown>) => void }[] = [];
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    let newline: number;
    while ((newline = stdout.indexOf('\n')) >= 0) {
      const text = stdout.slice(0, newline);
      stdout = stdout.slice(newline + 1);
      if (!text.startsWith('{')) continue;
      const line = JSON.parse(text) as Record<string, unknown>;
      lines.push(line);
      for (const waiter of waiters.filter((w) => w.key in line)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    lines,
    stderr: () => stderr,
    exited,
    line: (key) =>
      new Promise((resolve, reject) => {
        const seen = lines.find((l) => key in l);
        if (seen) return resolve(seen);
        waiters.push({ key, resolve });
        void exited.then(({ code, signal }) =>
          reject(new Error(`service exited (${code ?? signal}) before printing "${key}":\n${stderr}`)),
        );
      }),
  };
}

/** `startService` with its metrics on the Prometheus exporter, at a free port of the loopback. */
export async function startServiceOnPrometheus(
  options: Omit<Parameters<typeof startService>[0], 'env'> & { env?: Record<string, string> },
): Promise<{ port: number; service: Service }> {
  const port = await freePort();
  return { port, service: startService({ ...options, env: { ...prometheusExporterEnv(port), ...options.env } }) };
}
