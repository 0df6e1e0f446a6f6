// An application script run the zero-code way: `node --import @presize/auto-instrumentation/register`,
// its metrics served by the OpenTelemetry Prometheus exporter. The script prints `ready` once it
// holds what the test looks at. Uses the built packages (dist): run after `npm run build`.
import { spawn, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { prometheusExporterEnv, ROOT } from './service-process.js';

export interface InstrumentedApp {
  readonly child: ChildProcess;
  /** Where the script was written: the maps it finds are named by call sites in this file. */
  readonly appPath: string;
  /** Ends the application and removes its script. */
  stop(): void;
}

/** Writes `source` to a fresh directory as app.mjs and runs it until it prints `ready`. */
export async function startInstrumentedApp(options: {
  source: string;
  service: string;
  /** Where the Prometheus exporter listens. */
  port: number;
  env?: Record<string, string>;
}): Promise<InstrumentedApp> {
  const dir = mkdtempSync(join(tmpdir(), 'presize-app-'));
  const appPath = join(dir, 'app.mjs');
  writeFileSync(appPath, options.source);
  const child = spawn(process.execPath, ['--import', '@presize/auto-instrumentation/register', appPath], {
    cwd: ROOT,
    env: {
      ...process.env,
      OTEL_SERVICE_NAME: options.service,
      OTEL_LOGS_EXPORTER: 'none',
      ...prometheusExporterEnv(options.port),
      ...options.env,
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const stop = () => {
    child.kill('SIGTERM');
    rmSync(dir, { recursive: true, force: true });
  };
  let stderr = '';
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    await new Promise<void>((ready, fail) => {
      child.stdout?.on('data', (chunk: Buffer) => {
        if (chunk.toString().includes('ready')) ready();
      });
      child.once('exit', (code) => fail(new Error(`app exited with ${code}: ${stderr}`)));
    });
  } catch (error) {
    stop();
    throw error;
  }
  return { child, appPath, stop };
}
