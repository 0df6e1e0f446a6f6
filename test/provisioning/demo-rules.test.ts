import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { MAP_RISK_FACTORS, MAP_RISK_RECORDS, RISK_LEVEL_VALUES, scoreMap } from '../../definitions/src/index.js';
import { startService, type RunningService } from '../../scripts/demo/service.js';
import { freePort } from '../../tools/ports.js';
import { startPrometheus, type PrometheusHandle } from '../../tools/prometheus.js';

// The generated rules on the real demo service: the incident's map, presized for 5,000 devices,
// meets 60,000, and Prometheus scrapes what `--import @presize/auto-instrumentation/register` exports.
const ROOT = resolve(__dirname, '../..');
const RULES_DIR = join(ROOT, 'provisioning/prometheus/rules');
const JOB = 'device-logs-presized-5000';
const MAP = `job="${JOB}", presize_map_name="device-logs"`;
const DEVICES = 60_000;

describe('the generated risk rules on the demo service', () => {
  let service: RunningService;
  let prometheus: PrometheusHandle;

  beforeAll(async () => {
    service = await startService({ cache: 'presized-5000', port: await freePort(), metricsPort: await freePort() });
    prometheus = await startPrometheus({
      scrape: [{ job: JOB, target: service.metricsTarget!, intervalSeconds: 1 }],
      ruleFiles: readdirSync(RULES_DIR).filter((f) => f.startsWith('presize-')).map((f) => join(RULES_DIR, f)),
    });
    await prometheus.waitFor(`presize_map_entries{${MAP}}`, (r) => r.length === 1, 30_000);
    for (let first = 0; first < DEVICES; first += 1000) {
      const events = Array.from({ length: 1000 }, (_, i) => ({ deviceId: `device-${first + i}`, log: 'heartbeat' }));
      const reply = await fetch(`${service.url}/events`, { method: 'POST', body: JSON.stringify(events), headers: { 'content-type': 'application/json' } });
      if (!reply.ok) throw new Error(`POST /events answered ${reply.status}: ${await reply.text()}`);
    }
    await prometheus.waitFor(`presize_map_entries{${MAP}}`, (r) => r[0]?.value === DEVICES, 30_000);
    await prometheus.waitFor(`${MAP_RISK_RECORDS.level}{${MAP}}`, (r) => r[0]?.value === RISK_LEVEL_VALUES.critical, 30_000);
    // Queries read one complete round of rule evaluation, 2 s back: let a few rounds pass first.
    await new Promise((done) => setTimeout(done, 4000));
  }, 120_000);

  afterAll(async () => {
    await prometheus?.stop();
    await service?.stop();
  }, 60_000);

  it('reads the map far past its hint and in a resize storm', async () => {
    const at = new Date(Date.now() - 2000);
    const [hint] = await prometheus.query(`presize:map_entries_per_hint:ratio{${MAP}}`, at);
    expect(hint?.value).toBe(DEVICES / 5000);
    const [doublings] = await prometheus.query(`presize:map_doublings:increase5m{${MAP}}`, at);
    expect(doublings?.value).toBeGreaterThanOrEqual(3);
  }, 30_000);

  it('records the score scoreMap computes from the recorded inputs', async () => {
    const at = new Date(Date.now() - 2000);
    const inputs: Record<string, number> = {};
    for (const factor of MAP_RISK_FACTORS) {
      const [sample] = await prometheus.query(`${factor.inputRecord}{${MAP}}`, at);
      if (sample) inputs[factor.reason] = sample.value;
    }
    const expected = scoreMap(inputs);
    const [score] = await prometheus.query(`${MAP_RISK_RECORDS.score}{${MAP}}`, at);
    expect(score?.value).toBe(expected.score);
    expect(expected.level).toBe('critical');
    // 60,000 entries arrived within seconds: the next doubling looks imminent as well.
    expect(expected.reasons.map((r) => r.reason)).toEqual(expect.arrayContaining(['hint_exceeded', 'resize_storm']));
  }, 30_000);
});
