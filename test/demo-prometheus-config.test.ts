// The demo's Prometheus runs the provisioned prometheus.yml: a real Prometheus started from it must
// report the provisioned global settings and rule files as its own, and scrape the demo's services.
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { DEMO_SCRAPE_INTERVAL, PROVISIONED_CONFIG, demoPrometheusConfig } from '../scripts/demo/prometheus-config.js';
import { startPrometheus, type PrometheusHandle } from '../tools/prometheus.js';
import { startExpositionTarget, type ExpositionTarget } from './support/exposition-target.js';

interface PrometheusConfig {
  global: Record<string, string>;
  rule_files: string[];
  scrape_configs: Array<{ job_name: string; scrape_interval: string; static_configs: Array<{ targets: string[] }> }>;
}

const provisioned = parse(readFileSync(PROVISIONED_CONFIG, 'utf8')) as PrometheusConfig;
const provisionedRuleFiles = provisioned.rule_files.map((file) => resolve(dirname(PROVISIONED_CONFIG), file));

async function apiData<T>(prometheus: PrometheusHandle, path: string): Promise<T> {
  const response = await fetch(`${prometheus.url}/api/v1/${path}`);
  const body = (await response.json()) as { status: string; data: T };
  expect(body.status).toBe('success');
  return body.data;
}

describe('the demo Prometheus configuration', () => {
  it('keeps everything of the provisioned file but its scrape jobs, and resolves rule files from its directory', () => {
    const dir = mkdtempSync(join(tmpdir(), 'presize-provisioned-'));
    try {
      const file = join(dir, 'prometheus.yml');
      writeFileSync(
        file,
        [
          'global: { scrape_interval: 30s, external_labels: { site: lab } }',
          'rule_files: [rules/a.yml, /etc/prometheus/b.yml]',
          'alerting: { alertmanagers: [{ static_configs: [{ targets: ["alertmanager:9093"] }] }] }',
          'scrape_configs: [{ job_name: demo, static_configs: [{ targets: ["demo:9464"] }] }]',
        ].join('\n'),
      );
      const { yaml, ruleFiles } = demoPrometheusConfig([{ job: 'device-logs-native', target: '127.0.0.1:4000' }], file);
      expect(ruleFiles).toEqual([join(dir, 'rules/a.yml'), '/etc/prometheus/b.yml']);
      expect(parse(yaml)).toEqual({
        global: { scrape_interval: '30s', external_labels: { site: 'lab' } },
        rule_files: ruleFiles,
        alerting: { alertmanagers: [{ static_configs: [{ targets: ['alertmanager:9093'] }] }] },
        scrape_configs: [
          {
            job_name: 'device-logs-native',
            scrape_interval: DEMO_SCRAPE_INTERVAL,
            scrape_timeout: DEMO_SCRAPE_INTERVAL,
            static_configs: [{ targets: ['127.0.0.1:4000'] }],
          },
        ],
      });
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('refuses a file that is not a configuration, naming it', () => {
    const dir = mkdtempSync(join(tmpdir(), 'presize-provisioned-'));
    try {
      const file = join(dir, 'prometheus.yml');
      writeFileSync(file, 'rule_files: rules/a.yml\n');
      expect(() => demoPrometheusConfig([], file)).toThrow(`${file}: rule_files is not a list of file names`);
      writeFileSync(file, '- global\n');
      expect(() => demoPrometheusConfig([], file)).toThrow(`${file} is not a Prometheus configuration`);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('a real Prometheus started from the provisioned prometheus.yml', () => {
  let target: ExpositionTarget;
  let prometheus: PrometheusHandle;

  beforeAll(async () => {
    target = await startExpositionTarget('# TYPE demo_probe gauge\ndemo_probe 1\n');
    const { yaml } = demoPrometheusConfig([{ job: 'device-logs-probe', target: target.target }]);
    prometheus = await startPrometheus({ config: yaml });
  }, 60_000);

  afterAll(async () => {
    await prometheus?.stop();
    await target?.close();
  }, 60_000);

  it('runs with the provisioned global settings and rule files', async () => {
    const running = parse((await apiData<{ yaml: string }>(prometheus, 'status/config')).yaml) as PrometheusConfig;
    expect(provisioned.global).toEqual(
      expect.objectContaining({ scrape_interval: expect.any(String), evaluation_interval: expect.any(String) }),
    );
    expect(running.global).toEqual(expect.objectContaining(provisioned.global));
    expect(running.rule_files).toEqual(provisionedRuleFiles);
  });

  it('has loaded the rule groups of every provisioned rule file', async () => {
    const { groups } = await apiData<{ groups: Array<{ file: string }> }>(prometheus, 'rules');
    expect([...new Set(groups.map((group) => group.file))].sort()).toEqual([...provisionedRuleFiles].sort());
  });

  it('scrapes the demo job, and only that, every second', async () => {
    const [up] = await prometheus.waitFor(
      'up',
      (result) => result.length > 0 && result.every((sample) => sample.value === 1),
      20_000,
    );
    expect(up?.metric).toMatchObject({
      job: 'device-logs-probe',
      instance: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
    });
    const running = parse((await apiData<{ yaml: string }>(prometheus, 'status/config')).yaml) as PrometheusConfig;
    expect(running.scrape_configs.map((job) => [job.job_name, job.scrape_interval])).toEqual([
      ['device-logs-probe', DEMO_SCRAPE_INTERVAL],
    ]);
  }, 30_000);
});
