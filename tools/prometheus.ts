import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from './ports.js';
import { requireBinary, startServerProcess, waitUntilReady } from './process.js';
import { queryApi, type QueryApi } from './query-api.js';

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
  /** How far back a query looks for a series' latest sample (Prometheus' default is 5m). */
  lookbackDelta?: string;
  /**
   * Called with `stop` as soon as the process is spawned, before it is ready: a caller that is
   * interrupted during start-up can still stop it and remove its temporary directory.
   */
  onSpawned?: (stop: () => Promise<void>) => void;
}

export type { PromSample } from './query-api.js';

export interface PrometheusHandle extends QueryApi {
  url: string;
  port: number;
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;

export function prometheusBinary(): string {
  return requireBinary(
    'prometheus',
    '--version',
    'apt-get install -y prometheus (Debian), or put a Prometheus 2.x binary on PATH.',
  );
}

/** `scrape_configs:` of a Prometheus configuration; vmagent reads the same. */
export function scrapeConfigLines(jobs: ScrapeTarget[]): string[] {
  const lines = ['scrape_configs:'];
  for (const job of jobs) {
    lines.push(
      `  - job_name: ${JSON.stringify(job.job)}`,
      `    scrape_interval: ${job.intervalSeconds ?? 1}s`,
      `    scrape_timeout: ${Math.min(job.intervalSeconds ?? 1, 10)}s`,
      `    metrics_path: ${JSON.stringify(job.metricsPath ?? '/metrics')}`,
      '    static_configs:',
      `      - targets: [${JSON.stringify(job.target)}]`,
    );
  }
  if (jobs.length === 0) lines.push('  []');
  return lines;
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
  lines.push(...scrapeConfigLines(options.scrape ?? []));
  return `${lines.join('\n')}\n`;
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
  const server = startServerProcess('prometheus', binary, [
    `--config.file=${configFile}`,
    `--storage.tsdb.path=${storageDir}`,
    `--storage.tsdb.retention.time=${options.retention ?? '15d'}`,
    `--web.listen-address=127.0.0.1:${port}`,
    ...(options.lookbackDelta ? [`--query.lookback-delta=${options.lookbackDelta}`] : []),
    '--log.level=warn',
  ]);
  const stop = async (): Promise<void> => {
    await server.stop();
    rmSync(workDir, { recursive: true, force: true });
  };
  options.onSpawned?.(stop);

  try {
    await waitUntilReady(server, `${url}/-/ready`, READY_TIMEOUT_MS);
  } catch (error) {
    await stop();
    throw error;
  }
  return { url, port, ...queryApi(url, 'Prometheus'), stop };
}
