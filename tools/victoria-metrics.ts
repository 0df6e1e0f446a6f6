import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { startAlertReceiver, type AlertReceiver, type ReceivedAlert } from './alert-receiver.js';
import { freePort } from './ports.js';
import { requireBinary, startServerProcess, waitUntilReady, type ServerProcess } from './process.js';
import { scrapeConfigLines, type ScrapeTarget } from './prometheus.js';
import { queryApi, type QueryApi } from './query-api.js';

export interface StartVictoriaMetricsOptions {
  /** Scrape jobs for a vmagent that remote-writes into VictoriaMetrics; no vmagent without them. */
  scrape?: ScrapeTarget[];
  /** Rule files (Prometheus format) for a vmalert that reads and writes VictoriaMetrics; no vmalert without them. */
  ruleFiles?: string[];
  /** vmalert's evaluation interval. */
  evaluationIntervalSeconds?: number;
  /** Storage directory; kept on stop. */
  storageDir?: string;
  /** How far back a query looks for a series' latest sample (-search.maxLookback; detected from the data by default). */
  maxLookback?: string;
  /** Called with `stop` as soon as the first process is spawned (see StartPrometheusOptions.onSpawned). */
  onSpawned?: (stop: () => Promise<void>) => void;
}

export interface VictoriaMetricsHandle extends QueryApi {
  /** The Prometheus-compatible query API (single-node VictoriaMetrics serves it at its root). */
  url: string;
  port: number;
  vmagentUrl?: string;
  vmalertUrl?: string;
  /** Imports Prometheus text exposition whose samples carry millisecond timestamps. */
  importPrometheusText(text: string): Promise<void>;
  /** Imports OpenMetrics text (timestamps in seconds), the input `promtool tsdb create-blocks-from openmetrics` takes. */
  importOpenMetrics(text: string): Promise<void>;
  /** Makes every sample ingested so far searchable now rather than within a second or so. */
  flush(): Promise<void>;
  /**
   * Waits until every vmalert group has evaluated `count` more times, flushing meanwhile. vmalert
   * writes a group's results through remote write and reads them back in its next evaluation, so a
   * chain of N recording rules (inputs, factor, score, level) settles after N evaluations, where
   * Prometheus settles in one.
   */
  evaluations(count: number, timeoutMs?: number): Promise<void>;
  /** What vmalert sent to its notifier (empty without rule files). */
  alerts(): ReceivedAlert[];
  stop(): Promise<void>;
}

const READY_TIMEOUT_MS = 30_000;
const INSTALL = 'apt-get install -y victoria-metrics (Debian), which brings victoria-metrics, vmagent and vmalert.';

export function victoriaMetricsBinaries(): { server: string; agent: string; alert: string } {
  return {
    server: requireBinary('victoria-metrics', '-version', INSTALL),
    agent: requireBinary('vmagent', '-version', INSTALL),
    alert: requireBinary('vmalert', '-version', INSTALL),
  };
}

/**
 * OpenMetrics samples with timestamps in seconds as Prometheus text with milliseconds, which
 * VictoriaMetrics' /api/v1/import/prometheus reads; comments and `# EOF` are dropped.
 */
export function openMetricsToPrometheusText(text: string): string {
  const out: string[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    // name{labels} value [timestamp], or name value [timestamp]: label values may hold spaces.
    const closing = line.lastIndexOf('}');
    const rest = closing >= 0 ? line.slice(closing + 1) : line.slice(line.indexOf(' ') + 1);
    const fields = rest.trim().split(/\s+/);
    if (fields.length !== 2) {
      out.push(line);
      continue;
    }
    const seconds = Number(fields[1]);
    if (!Number.isFinite(seconds)) throw new Error(`not an OpenMetrics sample timestamp: ${line}`);
    out.push(`${line.slice(0, line.length - rest.length).trimEnd()} ${fields[0]} ${Math.round(seconds * 1000)}`);
  }
  return `${out.join('\n')}\n`;
}

async function postOk(url: string, body?: string): Promise<void> {
  const response = await fetch(url, { method: 'POST', body });
  if (!response.ok)
    throw new Error(
      `POST ${url.replace(/\?.*/, '')} answered ${response.status}: ${(await response.text()).slice(0, 500)}`,
    );
}

/**
 * Starts VictoriaMetrics (single node) on 127.0.0.1 at a free port with its own temporary directory,
 * and, when asked, vmagent scraping targets into it and vmalert evaluating rule files against it.
 * Queries see samples at once (no latency offset, no result cache), as a test needs.
 */
export async function startVictoriaMetrics(options: StartVictoriaMetricsOptions = {}): Promise<VictoriaMetricsHandle> {
  const binaries = victoriaMetricsBinaries();
  const port = await freePort();
  const agentPort = options.scrape?.length ? await freePort() : undefined;
  const alertPort = options.ruleFiles?.length ? await freePort() : undefined;
  const receiver: AlertReceiver | undefined = alertPort ? await startAlertReceiver() : undefined;
  const workDir = mkdtempSync(join(tmpdir(), 'presize-victoria-metrics-'));
  const url = `http://127.0.0.1:${port}`;
  const processes: ServerProcess[] = [];

  const stop = async (): Promise<void> => {
    // Writers before the store they write to.
    for (const process of [...processes].reverse()) await process.stop();
    await receiver?.close();
    rmSync(workDir, { recursive: true, force: true });
  };

  processes.push(
    startServerProcess('victoria-metrics', binaries.server, [
      `-storageDataPath=${options.storageDir ?? join(workDir, 'data')}`,
      `-httpListenAddr=127.0.0.1:${port}`,
      '-retentionPeriod=10y',
      '-search.latencyOffset=0s',
      '-search.disableCache',
      ...(options.maxLookback ? [`-search.maxLookback=${options.maxLookback}`] : []),
      '-loggerLevel=WARN',
    ]),
  );
  options.onSpawned?.(stop);
  try {
    await waitUntilReady(processes[0]!, `${url}/-/ready`, READY_TIMEOUT_MS);
    if (agentPort) {
      const config = join(workDir, 'vmagent.yml');
      writeFileSync(
        config,
        `${['global:', '  scrape_interval: 1s', ...scrapeConfigLines(options.scrape ?? [])].join('\n')}\n`,
      );
      const agent = startServerProcess('vmagent', binaries.agent, [
        `-promscrape.config=${config}`,
        `-remoteWrite.url=${url}/api/v1/write`,
        `-remoteWrite.tmpDataPath=${join(workDir, 'vmagent')}`,
        '-remoteWrite.flushInterval=200ms',
        `-httpListenAddr=127.0.0.1:${agentPort}`,
        '-loggerLevel=WARN',
      ]);
      processes.push(agent);
      await waitUntilReady(agent, `http://127.0.0.1:${agentPort}/health`, READY_TIMEOUT_MS);
    }
    if (alertPort && receiver) {
      const alert = startServerProcess('vmalert', binaries.alert, [
        ...(options.ruleFiles ?? []).map((file) => `-rule=${resolve(file)}`),
        `-datasource.url=${url}`,
        `-remoteWrite.url=${url}`,
        '-remoteWrite.flushInterval=200ms',
        `-notifier.url=${receiver.url}`,
        `-evaluationInterval=${options.evaluationIntervalSeconds ?? 1}s`,
        `-httpListenAddr=127.0.0.1:${alertPort}`,
        '-loggerLevel=WARN',
      ]);
      processes.push(alert);
      await waitUntilReady(alert, `http://127.0.0.1:${alertPort}/health`, READY_TIMEOUT_MS);
    }
  } catch (error) {
    await stop();
    throw error;
  }

  const flush = () =>
    fetch(`${url}/internal/force_flush`).then((response) => {
      if (!response.ok) throw new Error(`victoria-metrics refused to flush: ${response.status}`);
    });
  const iterations = async (): Promise<Map<string, number>> => {
    const counts = new Map<string, number>();
    if (!alertPort) return counts;
    const text = await (await fetch(`http://127.0.0.1:${alertPort}/metrics`)).text();
    for (const match of text.matchAll(/^vmalert_iteration_total\{[^}]*group="([^"]+)"[^}]*\} (\d+)$/gm)) {
      counts.set(match[1]!, (counts.get(match[1]!) ?? 0) + Number(match[2]));
    }
    return counts;
  };
  const evaluations = async (count: number, timeoutMs = 60_000): Promise<void> => {
    if (!alertPort) throw new Error('no vmalert runs: start VictoriaMetrics with rule files');
    const start = await iterations();
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      await flush();
      const now = await iterations();
      if (now.size > 0 && [...now].every(([group, n]) => n - (start.get(group) ?? 0) >= count)) return;
      if (Date.now() > deadline)
        throw new Error(`vmalert did not evaluate every group ${count} more times within ${timeoutMs} ms`);
      await new Promise((done) => setTimeout(done, 200));
    }
  };
  const importPrometheusText = async (text: string): Promise<void> => {
    await postOk(`${url}/api/v1/import/prometheus`, text);
    await flush();
  };
  return {
    url,
    port,
    vmagentUrl: agentPort ? `http://127.0.0.1:${agentPort}` : undefined,
    vmalertUrl: alertPort ? `http://127.0.0.1:${alertPort}` : undefined,
    ...queryApi(url, 'VictoriaMetrics', flush),
    importPrometheusText,
    importOpenMetrics: (text) => importPrometheusText(openMetricsToPrometheusText(text)),
    flush,
    evaluations,
    alerts: () => receiver?.alerts() ?? [],
    stop,
  };
}
