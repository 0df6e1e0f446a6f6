// The store the demo's telemetry flows through: Prometheus running the provisioned configuration,
// or VictoriaMetrics with vmagent scraping the same jobs and vmalert evaluating the same rule files.
import { spawnSync } from 'node:child_process';
import { startPrometheus } from '../../tools/prometheus.js';
import type { QueryApi } from '../../tools/query-api.js';
import { startVictoriaMetrics } from '../../tools/victoria-metrics.js';
import { DEMO_SCRAPE_INTERVAL, demoPrometheusConfig, type DemoScrapeJob } from './prometheus-config.js';

export const TSDBS = ['prometheus', 'victoria-metrics'] as const;
export type TsdbKind = (typeof TSDBS)[number];

export interface DemoTsdb extends QueryApi {
  /** How the demo names it: "Prometheus", "VictoriaMetrics". */
  name: string;
  url: string;
  /** A page of the store's own UI graphing `expr` over the last 15 minutes. */
  graphUrl(expr: string): string;
  /** Makes every sample received so far visible to queries. */
  settle(): Promise<void>;
}

const PACKAGES: Record<TsdbKind, { name: string; debian: string; binaries: string[] }> = {
  prometheus: { name: 'Prometheus', debian: 'prometheus', binaries: ['prometheus'] },
  'victoria-metrics': {
    name: 'VictoriaMetrics',
    debian: 'victoria-metrics',
    binaries: ['victoria-metrics', 'vmagent', 'vmalert'],
  },
};

/** The store from Debian's package: installed here when running as root, else the command to run. */
export function ensureTsdb(kind: TsdbKind): void {
  const { name, debian, binaries } = PACKAGES[kind];
  if (binaries.every((binary) => !spawnSync(binary, ['--version'], { stdio: 'ignore' }).error)) return;
  if (process.getuid?.() !== 0) {
    throw new Error(
      `${name} is not installed. Install it with:\n\n  sudo apt-get update && sudo apt-get install -y ${debian}\n\nthen run \`npm run demo\` again.`,
    );
  }
  console.log(`${name} is missing; installing Debian's ${debian} package ...`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  for (const args of [
    ['update', '-qq'],
    ['install', '-y', '-qq', '--no-install-recommends', debian],
  ]) {
    const run = spawnSync('apt-get', args, { stdio: 'inherit', env });
    if (run.status !== 0)
      throw new Error(`apt-get ${args.join(' ')} failed (${run.error?.message ?? `exit ${run.status}`})`);
  }
}

/** Starts the store on 127.0.0.1 scraping `jobs`; `onSpawned` gets its stop before it is ready. */
export async function startDemoTsdb(
  kind: TsdbKind,
  jobs: readonly DemoScrapeJob[],
  onSpawned: (stop: () => Promise<void>) => void,
): Promise<DemoTsdb> {
  const config = demoPrometheusConfig(jobs);
  const files = `${config.ruleFiles.length} rule file${config.ruleFiles.length === 1 ? '' : 's'}`;
  if (kind === 'prometheus') {
    console.log(
      `Starting Prometheus on 127.0.0.1 from provisioning/prometheus/prometheus.yml (${files}; one scrape job per cache instead of Compose's) ...`,
    );
    const prometheus = await startPrometheus({ config: config.yaml, onSpawned });
    return {
      ...prometheus,
      name: 'Prometheus',
      graphUrl: (expr) => `${prometheus.url}/graph?g0.expr=${encodeURIComponent(expr)}&g0.tab=0&g0.range_input=15m`,
      settle: () => Promise.resolve(),
    };
  }
  console.log(
    `Starting VictoriaMetrics, vmagent and vmalert on 127.0.0.1 with the rules of provisioning/prometheus/prometheus.yml ` +
      `(${files}, evaluated by vmalert; vmagent scrapes one job per cache) ...`,
  );
  const interval = Number.parseInt(DEMO_SCRAPE_INTERVAL, 10);
  const victoriaMetrics = await startVictoriaMetrics({
    scrape: jobs.map(({ job, target }) => ({ job, target, intervalSeconds: interval })),
    ruleFiles: config.ruleFiles,
    onSpawned,
  });
  return {
    ...victoriaMetrics,
    name: 'VictoriaMetrics',
    graphUrl: (expr) =>
      `${victoriaMetrics.url}/vmui/#/?g0.expr=${encodeURIComponent(expr)}&g0.tab=0&g0.range_input=15m`,
    settle: victoriaMetrics.flush,
  };
}
