// The scale-out configurations under provisioning/scale-out, checked by the tools that will read
// them: promtool for the Prometheus configurations, vmagent -dryRun for vmagent's, vmalert -dryRun
// for the generated rule files it loads; and kept in step with the provisioned scrape jobs.
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse } from 'yaml';

const ROOT = resolve(__dirname, '../..');
const SCALE_OUT = join(ROOT, 'provisioning/scale-out');
const RULES = join(ROOT, 'provisioning/prometheus/rules');

function run(command: string, args: string[], cwd = SCALE_OUT): { status: number | null; output: string } {
  const result = spawnSync(command, args, { cwd, encoding: 'utf8' });
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

const yamlOf = (file: string) => parse(readFileSync(join(SCALE_OUT, file), 'utf8')) as Record<string, unknown>;
type ScrapeJob = { job_name: string };

describe('provisioning/scale-out', () => {
  it.each([
    ['prometheus-victoria-metrics-cluster.yml', ['--agent']],
    ['prometheus-mimir.yml', ['--agent']],
    ['prometheus-thanos.yml', []],
  ])('promtool accepts %s', (file, flags) => {
    const result = run('promtool', ['check', 'config', ...flags, file]);
    expect({ file, status: result.status, output: result.output }).toEqual({ file, status: 0, output: expect.stringContaining('SUCCESS') });
  });

  it('promtool refuses a Prometheus configuration with a remote write header it must not send, so the check can fail', () => {
    const dir = mkdtempSync(join(tmpdir(), 'presize-scale-out-'));
    try {
      const broken = readFileSync(join(SCALE_OUT, 'prometheus-mimir.yml'), 'utf8').replace('X-Scope-OrgID: presize', 'Authorization: secret');
      writeFileSync(join(dir, 'broken.yml'), broken);
      expect(run('promtool', ['check', 'config', '--agent', 'broken.yml'], dir).status).not.toBe(0);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('writes to each store where it listens, Mimir with its tenant header', () => {
    const remote = (file: string) => (yamlOf(file).remote_write as Array<{ url: string; headers?: Record<string, string> }>)[0]!;
    expect(remote('prometheus-victoria-metrics-cluster.yml').url).toBe('http://vminsert:8480/insert/0/prometheus/api/v1/write');
    expect(remote('prometheus-mimir.yml')).toMatchObject({ url: 'http://mimir:9009/api/v1/push', headers: { 'X-Scope-OrgID': 'presize' } });
    expect(remote('prometheus-thanos.yml')).toMatchObject({ url: 'http://thanos-receive:19291/api/v1/receive', headers: { 'THANOS-TENANT': 'presize' } });
  });

  it('vmagent -dryRun accepts its scrape configuration', () => {
    const result = run('vmagent', ['-dryRun', '-promscrape.config=vmagent-scrape.yml']);
    expect({ status: result.status, output: result.output.slice(-500) }).toEqual({ status: 0, output: expect.any(String) });
  });

  it('vmalert -dryRun accepts every generated rule file, and refuses a broken one', () => {
    for (const file of readdirSync(RULES).filter((f) => f.endsWith('.yml'))) {
      const result = run('vmalert', ['-dryRun', `-rule=${join(RULES, file)}`]);
      expect({ file, status: result.status, output: result.output.slice(-500) }).toEqual({ file, status: 0, output: expect.any(String) });
    }
    const dir = mkdtempSync(join(tmpdir(), 'presize-scale-out-'));
    try {
      writeFileSync(join(dir, 'broken.yml'), 'groups:\n  - name: broken\n    rules:\n      - record: a:b\n        expr: sum(\n');
      const result = run('vmalert', ['-dryRun', `-rule=${join(dir, 'broken.yml')}`]);
      expect(result.status).not.toBe(0);
      expect(result.output).toContain('invalid expression');
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });

  it('scrapes the jobs the provisioned prometheus.yml scrapes, and loads all of its rule files', () => {
    const provisioned = parse(readFileSync(join(ROOT, 'provisioning/prometheus/prometheus.yml'), 'utf8')) as {
      scrape_configs: ScrapeJob[];
      rule_files: string[];
    };
    const services = provisioned.scrape_configs.filter((job) => job.job_name !== 'prometheus');
    for (const file of ['prometheus-victoria-metrics-cluster.yml', 'prometheus-mimir.yml', 'prometheus-thanos.yml', 'vmagent-scrape.yml']) {
      expect({ file, jobs: yamlOf(file).scrape_configs }).toEqual({ file, jobs: services });
    }
    expect((yamlOf('prometheus-thanos.yml').rule_files as string[]).map((f) => f.replace('../prometheus/', ''))).toEqual(provisioned.rule_files);
    const flags = readFileSync(join(SCALE_OUT, 'vmalert-victoria-metrics-cluster.flags'), 'utf8');
    expect(flags).toContain('-rule=/etc/presize/prometheus/rules/*.yml');
    expect(flags).toMatch(/^-datasource\.url=http:\/\/vmselect:8481\/select\/0\/prometheus$/m);
    expect(flags).toMatch(/^-remoteWrite\.url=http:\/\/vminsert:8480\/insert\/0\/prometheus$/m);
  });

  it('the Collector pipeline takes OTLP in and remote-writes out, with the unit-dropping transform before the exporter', () => {
    const config = yamlOf('otel-collector.yml') as {
      service: { pipelines: { metrics: { receivers: string[]; processors: string[]; exporters: string[] } } };
      exporters: Record<string, { endpoint: string; headers?: Record<string, string> }>;
      processors: Record<string, unknown>;
    };
    const pipeline = config.service.pipelines.metrics;
    expect(pipeline.receivers).toEqual(['otlp']);
    expect(pipeline.processors[0]).toBe('transform/presize-names');
    for (const exporter of pipeline.exporters) expect(config.exporters[exporter]).toBeDefined();
    expect(config.exporters['prometheusremotewrite/mimir']!.headers).toEqual({ 'X-Scope-OrgID': 'presize' });
    expect(config.processors['transform/presize-names']).toEqual({
      metric_statements: [{ context: 'metric', statements: ['set(unit, "") where IsMatch(name, "^presize\\\\.")'] }],
    });
  });
});
