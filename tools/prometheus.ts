import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './ports.js';

export interface ScrapeTarget {
  job: string;
  /** host:port of the /metrics endpoint, e.g. 127.0.0.1:9464. */
  target: string;
  intervalSeconds?: number;
  metricsPath?: string;
}

export interface StartPrometheusOptions {
  /** Scrape jobs written into a generated configuration (ignored when configFile or config is given). */
  scrape?: ScrapeTarget[];
  /** Rule files for the generated configuration. */
  ruleFiles?: string[];
  /** A complete prometheus.yml to use as it is. */
  configFile?: string;
  /** A complete configuration as YAML text, written into the temporary directory (ignored when configFile is given). */
  config?: string;
  /** TSDB directory, e.g. one holding blocks made by `promtool tsdb create-blocks-from`; kept on stop. */
  storageDir?: string;
  /** Rule evaluation interval of the generated configuration. */
  evaluationIntervalSeconds?: number;
  /** How long blocks are kept; raise it for data with old timestamps. */
  retention?: string;
  /**
   * Called with `stop` as soon as the process is spawned, before it is ready: a caller that is
   * interrupted during start-up can still stop it and remove its temporary directory.
   */
  onSpawned?: (stop: () => Promise<void>) => void;
}

export interface PromSample {
  metric: Record<string, string>;
  value: number;
}

export interface PrometheusHandle {
  url: string;
  port: number;
  /** Instant query; throws with Prometheus' own error text when the query is rejected. */
  query(expr: string, time?: Date): Promise<PromSample[]>;
  /** Polls an instant query until `accept` returns true for its result or the timeout passes. */
  waitFor(expr: string, accept: (result: PromSample[]) => boolean, timeoutMs?: number): Promise<PromSample[]>;
  stop(): Promise<void>;
}

interface QueryResponse {
  status: 'success' | 'error';
  errorType?: string;
  error?: string;
  data?: { resultType: string; result: Array<{ metric: Record<string, string>; value: [number, string] }> | [number, string] };
}

const READY_TIMEOUT_MS = 30_000;

export function prometheusBinary(): string {
  const found = spawnSync('prometheus', ['--version'], { stdio: 'ignore' });
  if (found.error) {
    throw new Error(
      'prometheus was not found on PATH. Install it with: apt-get install -y prometheus (Debian), ' +
        'or put a Prometheus 2.x binary on PATH.',
    );
  }
  return 'prometheus';
}

function yamlConfig(options: StartPrometheusOptions): string {
  const lines = [
    'global:',
    `  scrape_interval: 1s`,
    `  evaluation_interval: ${options.evaluationIntervalSeconds ?? 1}s`,
  ];
  if (options.ruleFiles?.length) {
    lines.push('rule_files:', ...options.ruleFiles.map((file) => `  - ${JSON.stringify(resolve(file))}`));
  }
  lines.push('scrape_configs:');
  for (const job of options.scrape ?? []) {
    lines.push(
      `  - job_name: ${JSON.stringify(job.job)}`,
      `    scrape_interval: ${job.intervalSeconds ?? 1}s`,
      `    scrape_timeout: ${Math.min(job.intervalSeconds ?? 1, 10)}s`,
      `    metrics_path: ${JSON.stringify(job.metricsPath ?? '/metrics')}`,
      '    static_configs:',
      `      - targets: [${JSON.stringify(job.target)}]`,
    );
  }
  if (!options.scrape?.length) lines.push('  []');
  return `${lines.join('\n')}\n`;
}

async function waitUntilReady(url: string, child: ChildProcess, stderr: () => string): Promise<void> {
  const deadline = Date.now() + READY_TIMEOUT_MS;
  while (Date.now() < deadline) {
    if (child.exitCode !== null) {
      throw new Error(`prometheus exited with code ${child.exitCode} before it was ready:\n${stderr()}`);
    }
    try {
      const response = await fetch(`${url}/-/ready`);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`prometheus was not ready at ${url} after ${READY_TIMEOUT_MS} ms:\n${stderr()}`);
}

/** Starts a real Prometheus on 127.0.0.1 at a free port, with its own temporary directory. */
export async function startPrometheus(options: StartPrometheusOptions = {}): Promise<PrometheusHandle> {
  const binary = prometheusBinary();
  // The port first: from the temporary directory to the spawn nothing waits, so no interruption
  // can come between creating the directory and handing out the stop that removes it.
  const port = await freePort();
  const workDir = mkdtempSync(join(tmpdir(), 'presize-prometheus-'));
  const configFile = options.configFile ?? join(workDir, 'prometheus.yml');
  if (!options.configFile) writeFileSync(configFile, options.config ?? yamlConfig(options));
  const storageDir = options.storageDir ?? join(workDir, 'data');
  const url = `http://127.0.0.1:${port}`;
  const child = spawn(
    binary,
    [
      `--config.file=${configFile}`,
      `--storage.tsdb.path=${storageDir}`,
      `--storage.tsdb.retention.time=${options.retention ?? '15d'}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  let stderrTail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString()).slice(-4000);
  });
  const exited = new Promise<void>((done) => child.once('exit', () => done()));

  const stop = async (): Promise<void> => {
    if (child.exitCode === null && child.signalCode === null) {
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), 10_000);
      await exited;
      clearTimeout(killer);
    }
    rmSync(workDir, { recursive: true, force: true });
  };
  options.onSpawned?.(stop);

  try {
    await waitUntilReady(url, child, () => stderrTail);
  } catch (error) {
    await stop();
    throw error;
  }

  const query = async (expr: string, time?: Date): Promise<PromSample[]> => {
    const params = new URLSearchParams({ query: expr });
    if (time) params.set('time', String(time.getTime() / 1000));
    const response = await fetch(`${url}/api/v1/query?${params}`);
    const body = (await response.json()) as QueryResponse;
    if (body.status !== 'success' || !body.data) {
      throw new Error(`Prometheus rejected the query (${body.errorType ?? response.status}): ${body.error ?? ''}\n  query: ${expr}`);
    }
    const { resultType, result } = body.data;
    if (resultType === 'scalar') {
      const [, value] = result as [number, string];
      return [{ metric: {}, value: Number(value) }];
    }
    return (result as Array<{ metric: Record<string, string>; value: [number, string] }>).map((sample) => ({
      metric: sample.metric,
      value: Number(sample.value[1]),
    }));
  };

  const waitFor = async (
    expr: string,
    accept: (result: PromSample[]) => boolean,
    timeoutMs = 30_000,
  ): Promise<PromSample[]> => {
    const deadline = Date.now() + timeoutMs;
    let last: PromSample[] = [];
    while (Date.now() < deadline) {
      last = await query(expr);
      if (accept(last)) return last;
      await new Promise((done) => setTimeout(done, 250));
    }
    throw new Error(`timed out after ${timeoutMs} ms waiting on ${expr}; last result: ${JSON.stringify(last)}`);
  };

  return { url, port, query, waitFor, stop };
}
