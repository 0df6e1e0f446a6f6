import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { generateAll } from '../../definitions/generate/all';

// promtool from Debian's prometheus package (.ci/run installs it).
const ROOT = resolve(__dirname, '../..');
const PROM_DIR = join(ROOT, 'provisioning/prometheus');
const ruleFiles = readdirSync(join(PROM_DIR, 'rules')).filter((f) => f.endsWith('.yml')).sort();
// promtool evaluates hours of input series per test; on a busy machine that takes seconds.
const PROMTOOL_TIMEOUT_MS = 120_000;
const testFiles = readdirSync(join(PROM_DIR, 'tests')).filter((f) => f.endsWith('.yml')).sort();

function promtool(args: string[], cwd = PROM_DIR): { status: number | null; output: string } {
  const run = spawnSync('promtool', args, { cwd, encoding: 'utf8' });
  if (run.error) throw new Error(`promtool could not run (apt-get install prometheus): ${run.error.message}`);
  return { status: run.status, output: `${run.stdout}${run.stderr}` };
}

interface AlertRule {
  alert?: string;
  labels?: Record<string, string>;
}
interface AlertTest {
  alertname: string;
  exp_alerts: { exp_labels: Record<string, string> }[];
}
interface UnitTests {
  rule_files: string[];
  tests: { alert_rule_test?: AlertTest[] }[];
}

describe('Prometheus rule files', () => {
  it('exist for risk and SLOs', () => {
    expect(ruleFiles).toEqual(
      expect.arrayContaining(['presize-map-risk.yml', 'presize-gpu-risk.yml', 'presize-lru-risk.yml', 'slo-inference.yml']),
    );
  });

  it.each(ruleFiles)('%s passes promtool check rules', (file) => {
    const { status, output } = promtool(['check', 'rules', `rules/${file}`]);
    expect(output).toContain('SUCCESS');
    expect(status).toBe(0);
  }, PROMTOOL_TIMEOUT_MS);

  it.each(testFiles)('%s passes promtool test rules', (file) => {
    const { status, output } = promtool(['test', 'rules', `tests/${file}`]);
    expect(output).not.toContain('FAILED');
    expect(status).toBe(0);
  }, PROMTOOL_TIMEOUT_MS);

  it('prometheus.yml passes promtool check config, rule files included', () => {
    const { status, output } = promtool(['check', 'config', 'prometheus.yml']);
    expect(output).toContain('SUCCESS');
    expect(output).not.toContain('FAILED');
    expect(status).toBe(0);
  }, PROMTOOL_TIMEOUT_MS);

  it('has for every alert a unit test that fires it and one that does not', () => {
    const units = testFiles.map((f) => parse(readFileSync(join(PROM_DIR, 'tests', f), 'utf8')) as UnitTests);
    const alerts = ruleFiles.flatMap((file) => {
      const doc = parse(readFileSync(join(PROM_DIR, 'rules', file), 'utf8')) as { groups: { rules: AlertRule[] }[] };
      return doc.groups.flatMap((g) => g.rules).filter((r) => r.alert).map((r) => ({ file, rule: r }));
    });
    expect(alerts.length).toBeGreaterThan(30);
    const missing: string[] = [];
    for (const { file, rule } of alerts) {
      const severityKey = rule.labels?.sloth_severity !== undefined ? 'sloth_severity' : 'severity';
      const severity = rule.labels?.[severityKey];
      const evaluations = units
        .filter((u) => u.rule_files.includes(`../rules/${file}`))
        .flatMap((u) => u.tests.flatMap((t) => t.alert_rule_test ?? []))
        .filter((t) => t.alertname === rule.alert);
      const firing = evaluations.filter((t) => t.exp_alerts.some((a) => a.exp_labels[severityKey] === severity));
      const quiet = evaluations.filter((t) => !t.exp_alerts.some((a) => a.exp_labels[severityKey] === severity));
      if (firing.length === 0) missing.push(`${rule.alert} ${severity}: no test fires it`);
      if (quiet.length === 0) missing.push(`${rule.alert} ${severity}: no test where it stays quiet`);
    }
    expect(missing).toEqual([]);
  });

  it('tests the burn-rate alerts of an SLO file a user adds, and promtool passes them', () => {
    const root = mkdtempSync(join(tmpdir(), 'presize-user-slo-'));
    try {
      mkdirSync(join(root, 'provisioning/slos'), { recursive: true });
      writeFileSync(
        join(root, 'provisioning/slos/checkout.yml'),
        [
          'version: prometheus/v1',
          'service: checkout',
          'labels: {team: payments}',
          'slos:',
          '  - name: requests-availability',
          '    objective: 99.9',
          '    sli:',
          '      events:',
          '        error_query: sum(rate(http_requests_total{job="checkout",code=~"5.."}[{{.window}}]))',
          '        total_query: sum(rate(http_requests_total{job="checkout"}[{{.window}}]))',
          '    alerting:',
          '      name: CheckoutErrors',
        ].join('\n'),
      );
      const files = generateAll(root).filter((f) => /slo-checkout(\.test)?\.yml$/.test(f.path));
      expect(files.map((f) => f.path).sort()).toEqual([
        'provisioning/prometheus/rules/slo-checkout.yml',
        'provisioning/prometheus/tests/slo-checkout.test.yml',
      ]);
      for (const file of files) {
        mkdirSync(dirname(join(root, file.path)), { recursive: true });
        writeFileSync(join(root, file.path), file.content);
      }
      const tests = parse(files[1]!.content) as UnitTests;
      const severities = (t: AlertTest) => t.exp_alerts.map((a) => a.exp_labels.sloth_severity).sort();
      expect(tests.tests.map((t) => t.alert_rule_test!.flatMap(severities))).toEqual([['page', 'ticket'], ['ticket'], []]);
      const { status, output } = promtool(['test', 'rules', 'tests/slo-checkout.test.yml'], join(root, 'provisioning/prometheus'));
      expect(output).toContain('SUCCESS');
      expect(status).toBe(0);
    } finally {
      rmSync(root, { recursive: true, force: true });
    }
  }, PROMTOOL_TIMEOUT_MS);
});
