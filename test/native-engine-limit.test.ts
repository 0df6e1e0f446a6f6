// A service started with `--import @presize/auto-instrumentation/register` and PRESIZE_NATIVE_MAPS=observe
// holds a native Map and a native Set; a real Prometheus scrapes it and evaluates the generated map
// risk rules. PRESIZE_NATIVE_MAPS_ENGINE_LIMIT (the documented override) puts the limit at 2^18
// entries, so that 150,000 entries cross the warning threshold (half the limit) and 200,000 the
// critical one (three quarters) without filling 16 million. Uses dist: run under
// `flock /tmp/presize-build.lock` when building at the same time.
import { join } from 'node:path';
import { MAP_RISK_THRESHOLDS } from '../definitions/src/index.js';
import { freePort } from '../tools/ports';
import { startPrometheus, type PrometheusHandle } from '../tools/prometheus';
import { startInstrumentedApp, type InstrumentedApp } from './support/instrumented-app.js';
import { ROOT } from './support/service-process.js';

const RULES = join(ROOT, 'provisioning/prometheus/rules/presize-map-risk.yml');
const LIMIT = 2 ** 18;
const JOB = 'engine-limit-test';
const MAP_ENTRIES = 150_000;
const SET_ENTRIES = 200_000;

const APP = `const sessions = new Map();
for (let i = 0; i < ${MAP_ENTRIES}; i++) sessions.set('session-' + i, i);
const seen = new Set();
for (let i = 0; i < ${SET_ENTRIES}; i++) seen.add(i);
const small = new Map([[1, 1]]);
globalThis.keep = { sessions, seen, small };
console.log('ready');
setInterval(() => {}, 1000);
`;

jest.setTimeout(90_000);

describe('a native Map and Set past the engine-limit thresholds, in a real Prometheus', () => {
  let app: InstrumentedApp | undefined;
  let appPath: string;
  let prometheus: PrometheusHandle;

  beforeAll(async () => {
    const port = await freePort();
    app = await startInstrumentedApp({
      source: APP,
      service: JOB,
      port,
      env: { PRESIZE_NATIVE_MAPS: 'observe', PRESIZE_NATIVE_MAPS_ENGINE_LIMIT: String(LIMIT) },
    });
    appPath = app.appPath;
    prometheus = await startPrometheus({
      scrape: [{ job: JOB, target: `127.0.0.1:${port}`, intervalSeconds: 1 }],
      ruleFiles: [RULES],
      evaluationIntervalSeconds: 1,
    });
  }, 60_000);

  afterAll(async () => {
    await prometheus?.stop();
    app?.stop();
  }, 60_000);

  it('reports the limit, the usage and the doublings left of each, under its call site', async () => {
    // Two series: the small map was never found, so it has none.
    const usage = await prometheus.waitFor(
      `presize_map_engine_limit_usage{job="${JOB}"}`,
      (r) => r.length === 2,
      30_000,
    );
    const byUsage = usage.map((s) => s.value).sort((a, b) => a - b);
    expect(byUsage).toEqual([MAP_ENTRIES / LIMIT, SET_ENTRIES / LIMIT]);
    for (const sample of usage)
      expect(sample.metric.presize_map_name).toMatch(
        new RegExp(`^${appPath.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}:\\d+:\\d+$`),
      );
    const limits = await prometheus.query(`presize_map_engine_limit{job="${JOB}"}`);
    expect(limits.map((s) => s.value)).toEqual([LIMIT, LIMIT]);
    // Both tables hold 2^18 slots: the limit itself, so neither can double again.
    const left = await prometheus.query(`presize_map_engine_limit_doublings_left{job="${JOB}"}`);
    expect(left.map((s) => s.value)).toEqual([0, 0]);
    expect(MAP_ENTRIES / LIMIT).toBeGreaterThanOrEqual(MAP_RISK_THRESHOLDS.engineLimit.warn);
    expect(MAP_ENTRIES / LIMIT).toBeLessThan(MAP_RISK_THRESHOLDS.engineLimit.critical);
    expect(SET_ENTRIES / LIMIT).toBeGreaterThanOrEqual(MAP_RISK_THRESHOLDS.engineLimit.critical);
  });

  it('fires PresizeMapNearEngineLimit: warning for the Map, critical for the Set', async () => {
    const firing = await prometheus.waitFor(
      `ALERTS{alertname="PresizeMapNearEngineLimit", alertstate="firing", job="${JOB}"}`,
      (r) => r.length === 2,
      45_000,
    );
    const usage = await prometheus.query(`presize_map_engine_limit_usage{job="${JOB}"}`);
    const nameOf = (entries: number) => usage.find((s) => s.value === entries / LIMIT)?.metric.presize_map_name;
    const severities = Object.fromEntries(firing.map((s) => [s.metric.presize_map_name, s.metric.severity]));
    expect(severities).toEqual({ [nameOf(MAP_ENTRIES)!]: 'warning', [nameOf(SET_ENTRIES)!]: 'critical' });
  });
});
