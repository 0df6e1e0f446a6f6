import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { parse, stringify } from 'yaml';
import {
  GPU_KEY_LABELS,
  GPU_RISK_FACTORS,
  GPU_RISK_RECORDS,
  LRU_KEY_LABELS,
  LRU_RISK_FACTORS,
  LRU_RISK_RECORDS,
  MAP_KEY_LABELS,
  MAP_RISK_FACTORS,
  MAP_RISK_RECORDS,
  RISK_LEVEL_VALUES,
  SLO_RECORDS,
  errorBudgetRemaining,
  scoreGpu,
  scoreLru,
  scoreMap,
  type RiskAssessment,
  type RiskFactor,
} from '../../definitions/src/index.js';
import { startPrometheus, type PrometheusHandle, type PromSample } from '../../tools/prometheus.js';
import { fleetOpenMetrics } from './fleet-data.js';

// Every PromQL expression of the generated rules and dashboards, run against a real Prometheus
// holding a few hours of fleet data (backfilled with promtool) and evaluating the generated rules.
const ROOT = resolve(__dirname, '../..');
const RULES_DIR = join(ROOT, 'provisioning/prometheus/rules');
const ruleFiles = readdirSync(RULES_DIR).filter((f) => f.endsWith('.yml')).map((f) => join(RULES_DIR, f));

interface Rule {
  record?: string;
  alert?: string;
  expr: string;
}
const ruleGroups = (file: string) => (parse(readFileSync(file, 'utf8')) as { groups: { name: string; rules: Rule[] }[] }).groups;
const rules = ruleFiles.flatMap((file) => ruleGroups(file).flatMap((g) => g.rules));

/**
 * Each rule file as one group, its rules in file order. Prometheus runs groups side by side, each
 * on its own schedule: a risk level may be computed from factor scores one evaluation older than
 * the inputs read beside it, which the agreement checks below could not tell from a wrong score.
 * In one group every rule reads what the rules before it recorded in the same evaluation, as
 * promtool's unit tests (in file order) do.
 */
function oneGroupPerFile(dir: string): string[] {
  return ruleFiles.map((file) => {
    const groups = ruleGroups(file);
    const merged = join(dir, file.slice(RULES_DIR.length + 1));
    writeFileSync(merged, stringify({ groups: [{ name: groups[0]!.name, rules: groups.flatMap((g) => g.rules) }] }));
    return merged;
  });
}

/** Grafana's variables, set to "All" (and `$top` to `top`), and its interval macros. */
function substitute(expr: string, top = 20): string {
  return expr
    .replace(/\$__rate_interval/g, '1m')
    .replace(/\$__interval/g, '15s')
    .replace(/\$top\b/g, String(top))
    .replace(/\$(job|map|cache|node|gpu|service|slo)\b/g, '.*');
}

interface DashboardExpr {
  where: string;
  expr: string;
}
function dashboardExprs(): DashboardExpr[] {
  const out: DashboardExpr[] = [];
  for (const file of readdirSync(join(ROOT, 'dashboards')).filter((f) => f.endsWith('.json'))) {
    const d = JSON.parse(readFileSync(join(ROOT, 'dashboards', file), 'utf8')) as {
      panels: { title: string; targets?: { expr?: string }[] }[];
      templating: { list: { name: string; definition?: string }[] };
      annotations: { list?: { name: string; expr?: string }[] };
    };
    for (const p of d.panels) for (const t of p.targets ?? []) if (t.expr) out.push({ where: `${file} panel "${p.title}"`, expr: t.expr });
    for (const v of d.templating.list) {
      const m = /^label_values\((.+), (\w+)\)$/.exec(v.definition ?? '');
      if (m) out.push({ where: `${file} variable ${v.name}`, expr: `count by (${m[2]}) (${m[1]})` });
    }
    for (const a of d.annotations.list ?? []) if (a.expr) out.push({ where: `${file} annotation "${a.name}"`, expr: a.expr });
  }
  return out;
}

const key = (metric: Record<string, string>, labels: readonly string[]) => labels.map((l) => metric[l] ?? '').join('|');

describe('every PromQL expression against a real Prometheus with fleet data', () => {
  let prometheus: PrometheusHandle;
  let workDir: string;
  /** A moment at which one complete round of rule evaluation is visible. */
  let at: Date;

  beforeAll(async () => {
    workDir = mkdtempSync(join(tmpdir(), 'presize-fleet-'));
    const now = Math.floor(Date.now() / 1000);
    writeFileSync(join(workDir, 'fleet.om'), fleetOpenMetrics(now - 5));
    const made = spawnSync('promtool', ['tsdb', 'create-blocks-from', 'openmetrics', join(workDir, 'fleet.om'), join(workDir, 'data')], {
      encoding: 'utf8',
    });
    if (made.status !== 0) throw new Error(`promtool could not create blocks: ${made.stderr}${made.stdout}`);
    prometheus = await startPrometheus({
      storageDir: join(workDir, 'data'),
      ruleFiles: oneGroupPerFile(workDir),
      evaluationIntervalSeconds: 1,
    });
    await prometheus.waitFor(MAP_RISK_RECORDS.level, (r) => r.length >= 2, 60_000);
    await prometheus.waitFor(GPU_RISK_RECORDS.level, (r) => r.length >= 3, 60_000);
    await prometheus.waitFor(LRU_RISK_RECORDS.level, (r) => r.length >= 2, 60_000);
    await prometheus.waitFor(SLO_RECORDS.periodErrorBudgetRemaining, (r) => r.length >= 6, 60_000);
    // The SLO overview lists firing burn-rate alerts: wait until the rule evaluation has fired them.
    await prometheus.waitFor('ALERTS{alertstate="firing", sloth_slo!=""}', (r) => r.length >= 1, 60_000);
    await new Promise((done) => setTimeout(done, 3000));
    at = new Date(Date.now() - 2000);
  }, 120_000);

  afterAll(async () => {
    await prometheus?.stop();
    if (workDir) rmSync(workDir, { recursive: true, force: true });
  }, 60_000);

  it('evaluates every recording rule without error and with data', async () => {
    const empty: string[] = [];
    for (const rule of rules.filter((r) => r.record)) {
      const result = await prometheus.query(rule.expr, at);
      if (result.length === 0) empty.push(`${rule.record}: ${rule.expr}`);
    }
    expect(empty).toEqual([]);
  }, 60_000);

  it('evaluates every alert expression without error, and the fleet fires the alerts it should', async () => {
    const firing = new Set<string>();
    for (const rule of rules.filter((r) => r.alert)) {
      if ((await prometheus.query(rule.expr, at)).length > 0) firing.add(rule.alert!);
    }
    expect([...firing].sort()).toEqual(
      expect.arrayContaining([
        'InferenceHighErrorRate',
        'PresizeGpuThrottling',
        'PresizeGpuUtilisationOutsideBand',
        'PresizeGpuXidError',
        'PresizeLruEvictionChurn',
        'PresizeLruMissesWhileEvicting',
        'PresizeMapHintExceeded',
        'PresizeMapResizeStorm',
      ]),
    );
    expect(firing.has('PresizeGpuDown')).toBe(false);
  }, 60_000);

  it('runs every dashboard query, variable and annotation with data', async () => {
    const exprs = dashboardExprs();
    expect(exprs.length).toBeGreaterThan(40);
    const empty: string[] = [];
    for (const { where, expr } of exprs) {
      const result = await prometheus.query(substitute(expr), at);
      if (result.length === 0) empty.push(`${where}: ${expr}`);
    }
    expect(empty).toEqual([]);
  }, 60_000);

  it('draws on each per-map, per-cache and per-GPU panel only the $top subjects its ranking puts first', async () => {
    const panels = ['map-growth', 'gpu-utilisation', 'risk-map'].flatMap((name) => {
      const d = JSON.parse(readFileSync(join(ROOT, `dashboards/${name}.json`), 'utf8')) as {
        panels: { title: string; targets?: { expr?: string }[] }[];
      };
      return d.panels.flatMap((p) => (p.targets ?? []).map((t) => ({ where: `${name}: ${p.title}`, expr: t.expr ?? '' })));
    });
    const ranked = panels.filter((t) => t.expr.includes('$top'));
    expect(ranked.length).toBeGreaterThan(30);
    const unranked = (expr: string) => expr.replace(/^(?:topk|bottomk)\(\$top, ([\s\S]*)\)$/, '$1');
    let narrowed = 0;
    for (const { where, expr } of ranked) {
      const all = await prometheus.query(substitute(expr, 1000), at);
      const one = await prometheus.query(substitute(expr, 1), at);
      expect({ where, drawn: one.length <= 1 }).toEqual({ where, drawn: true });
      if (all.length > 1) narrowed += 1;
      if (!/^(?:topk|bottomk)\(/.test(expr)) continue;
      // Without the ranking the panel would draw every subject; the one drawn is the first of them.
      const every = (await prometheus.query(substitute(unranked(expr)), at)).map((s) => s.value);
      expect({ where, every: all.length }).toEqual({ where, every: every.length });
      // topk and bottomk rank NaN (a quantile of no observations) after every number.
      const numbers = every.filter((v) => !Number.isNaN(v));
      if (numbers.length === 0) continue;
      const first = expr.startsWith('topk') ? Math.max(...numbers) : Math.min(...numbers);
      expect({ where, value: one[0]?.value }).toEqual({ where, value: first });
    }
    // The fleet has several maps, lru-caches and GPUs: most ranked panels had more than one to choose from.
    expect(narrowed).toBeGreaterThan(ranked.length / 2);
  }, 60_000);

  it('runs the queries of every runbook without error', async () => {
    const dir = join(ROOT, 'provisioning/runbooks');
    const queries = readdirSync(dir).flatMap((file) =>
      [...readFileSync(join(dir, file), 'utf8').matchAll(/```promql\n([\s\S]*?)```/g)].flatMap((m) =>
        m[1]!.trim().split('\n').map((expr) => ({ file, expr: expr.replace(/<\w+>/g, 'x') })),
      ),
    );
    expect(queries.length).toBeGreaterThan(30);
    for (const { expr } of queries) await prometheus.query(expr, at);
  }, 60_000);

  async function checkAgreement<Reason extends string>(
    factors: readonly RiskFactor<Reason>[],
    records: { factorScore: string; score: string; level: string },
    labels: readonly string[],
    score: (inputs: Partial<Record<Reason, number>>) => RiskAssessment<Reason>,
  ): Promise<number> {
    const byKey = async (expr: string) => new Map((await prometheus.query(expr, at)).map((s: PromSample) => [key(s.metric, labels), s]));
    const scores = await byKey(records.score);
    const levels = await byKey(records.level);
    const inputs = new Map<string, Partial<Record<Reason, number>>>();
    for (const f of factors) {
      for (const [k, s] of await byKey(f.inputRecord)) inputs.set(k, { ...inputs.get(k), [f.reason]: s.value });
    }
    expect(scores.size).toBeGreaterThan(0);
    for (const [k, recorded] of scores) {
      const expected = score(inputs.get(k) ?? {});
      expect({ k, score: recorded.value }).toEqual({ k, score: expected.score });
      expect({ k, level: levels.get(k)?.value }).toEqual({ k, level: RISK_LEVEL_VALUES[expected.level] });
    }
    return scores.size;
  }

  it('records the same map scores and levels as scoreMap computes from the recorded inputs', async () => {
    expect(await checkAgreement(MAP_RISK_FACTORS, MAP_RISK_RECORDS, MAP_KEY_LABELS, scoreMap)).toBe(2);
    const levels = await prometheus.query(`${MAP_RISK_RECORDS.level}{presize_map_name="sessions"}`, at);
    expect(levels[0]?.value).toBe(RISK_LEVEL_VALUES.critical);
  }, 30_000);

  it('records the same GPU scores and levels as scoreGpu computes from the recorded inputs', async () => {
    expect(await checkAgreement(GPU_RISK_FACTORS, GPU_RISK_RECORDS, GPU_KEY_LABELS, scoreGpu)).toBe(3);
    const simulated = await prometheus.query(`${GPU_RISK_FACTORS[0]!.inputRecord}{Hostname="simulated-inference-node"}`, at);
    expect(simulated.map((s) => s.value)).toEqual([1]);
  }, 30_000);

  it('records the same lru-cache scores and levels as scoreLru computes from the recorded inputs', async () => {
    expect(await checkAgreement(LRU_RISK_FACTORS, LRU_RISK_RECORDS, LRU_KEY_LABELS, scoreLru)).toBe(2);
    // carts evicts three times its contents in 5 minutes and misses 60 % of its gets.
    const carts = new Map(
      (await prometheus.query(`${LRU_RISK_RECORDS.factorScore}{presize_lru_name="carts"}`, at)).map((s) => [s.metric.reason, s.value]),
    );
    expect(carts.get('eviction_churn')).toBeCloseTo(scoreLru({ eviction_churn: 3 }).score, 6);
    expect(carts.get('misses_while_evicting')).toBeCloseTo(scoreLru({ misses_while_evicting: 0.6 }).score, 6);
    const pages = await prometheus.query(`${LRU_RISK_RECORDS.level}{presize_lru_name="rendered-pages"}`, at);
    expect(pages.map((s) => s.value)).toEqual([RISK_LEVEL_VALUES.ok]);
  }, 30_000);

  it('records the error budget remaining that the SLO math computes', async () => {
    const ratios = await prometheus.query(SLO_RECORDS.sliError('30d'), at);
    const objectives = new Map(
      (await prometheus.query(SLO_RECORDS.objective, at)).map((s) => [s.metric.sloth_id, s.value * 100]),
    );
    const remaining = new Map(
      (await prometheus.query(SLO_RECORDS.periodErrorBudgetRemaining, at)).map((s) => [s.metric.sloth_id, s.value]),
    );
    expect(ratios.length).toBe(6);
    for (const r of ratios) {
      const id = r.metric.sloth_id!;
      expect(remaining.get(id)).toBeCloseTo(errorBudgetRemaining(r.value, objectives.get(id)!), 9);
    }
  }, 30_000);
});
