/**
 * @jest-environment ./test/jsdom-with-fetch.cjs
 *
 * The datasource's query() against each real store holding an hour of the incident scenario
 * (backfilled with promtool into Prometheus, imported into VictoriaMetrics) and evaluating the
 * generated risk and SLO recording rules (Prometheus itself, vmalert), with the same expectations.
 */
import { dateTime, type DataFrame, type DataQueryRequest } from '@grafana/data';
import fc from 'fast-check';

import {
  escapeRegex,
  filterSelector,
  GPU_KEY_LABELS,
  GPU_RISK_FACTORS,
  GPU_RISK_RECORDS,
  LRU_KEY_LABELS,
  LRU_RISK_FACTORS,
  LRU_RISK_RECORDS,
  MAP_KEY_LABELS,
  MAP_RISK_FACTORS,
  MAP_RISK_RECORDS,
  quoteString,
  REASON_LABEL,
  RISK_LEVEL_VALUES,
  levelForScore,
} from '@presize/definitions';

import { RISK_SUBJECTS, subjectQueries } from '../src/core/risk';
import { EMPTY_SCOPE } from '../src/core/scope';
import { DataSource } from '../src/datasource';
import {
  customVariable,
  dashboardVariables,
  directTransport,
  instanceSettings,
  listedGpus,
  variable,
} from '../src/test-support';
import type { PresizeQuery } from '../src/types';
import { SERVICE, type Scenario } from './demo-scenario';
import { LRU_CACHES } from './lru-scenario';
import { SCENARIO_BACKENDS, type ScenarioBackend, type ScenarioStore } from './scenario-backends';

/** Characters that end strings, escape, or mean something to RE2, among any other character. */
const HOSTILE_CHARACTER = fc.oneof(
  fc.constantFrom(
    '"',
    "'",
    '`',
    '\\',
    '\n',
    '\r',
    '\t',
    '|',
    '.',
    '*',
    '+',
    '?',
    '(',
    ')',
    '[',
    ']',
    '{',
    '}',
    '^',
    '$',
    '#',
    '='
  ),
  fc.string({ unit: 'grapheme', minLength: 1, maxLength: 1 })
);

let server: ScenarioStore;
let tsdb: ScenarioStore['tsdb'];
let scenario: Scenario;
let ds: DataSource;

function column(frame: DataFrame, name: string): unknown[] {
  const field = frame.fields.find((f) => f.name === name);
  if (!field) throw new Error(`no field ${name} in ${frame.fields.map((f) => f.name).join(', ')}`);
  return Array.from(field.values);
}

function rows(frame: DataFrame): Array<Record<string, unknown>> {
  return Array.from({ length: frame.length }, (_, i) =>
    Object.fromEntries(frame.fields.map((f) => [f.name, f.values[i]]))
  );
}

async function run(target: Omit<PresizeQuery, 'refId'>, toMs: number, rangeMs = 3600_000) {
  const request = {
    targets: [{ refId: 'A', ...target }],
    range: { from: dateTime(toMs - rangeMs), to: dateTime(toMs), raw: { from: 'now-1h', to: 'now' } },
    intervalMs: 15_000,
    maxDataPoints: 500,
    scopedVars: {},
  } as unknown as DataQueryRequest<PresizeQuery>;
  const response = await ds.query(request);
  expect(response.errors).toBeUndefined();
  return response.data as DataFrame[];
}

/** A score the datasource computed against the one the store recorded, as exact as the store keeps values. */
function expectRecorded(backend: ScenarioBackend, computed: unknown, recorded: number): void {
  if (backend.storedRelativeError === 0) {
    expect(computed).toBe(recorded);
  } else {
    expect(Math.abs((computed as number) - recorded)).toBeLessThanOrEqual(
      backend.storedRelativeError * Math.abs(recorded)
    );
  }
}

/** The time of the latest evaluation of a recording rule, in ms. */
async function evaluatedAt(record: string): Promise<number> {
  const [sample] = await tsdb.waitFor(
    `max(timestamp(${record}))`,
    (r) => r.length === 1 && Number.isFinite(r[0]!.value)
  );
  return Math.round(sample!.value * 1000);
}

const FACTORS_OF = new Map<
  object,
  { factors: ReadonlyArray<{ reason: string; inputRecord: string }>; keys: readonly string[] }
>([
  [MAP_RISK_RECORDS, { factors: MAP_RISK_FACTORS, keys: MAP_KEY_LABELS }],
  [GPU_RISK_RECORDS, { factors: GPU_RISK_FACTORS, keys: GPU_KEY_LABELS }],
  [LRU_RISK_RECORDS, { factors: LRU_RISK_FACTORS, keys: LRU_KEY_LABELS }],
]);

/**
 * Waits until every factor input has its factor score, and every recorded score is the one its
 * latest factor scores give. Each factor's input, each factor's score and the subject's score are
 * recorded by groups of their own, on their own schedules: a factor's score lags its input until
 * its group runs, and a score evaluated before some factor's score was recorded lacks that factor
 * until the score's group runs again.
 */
async function scoresSettled(
  ...kinds: ReadonlyArray<{ score: string; factorScore: string; subjects: string }>
): Promise<void> {
  for (const kind of kinds) {
    const { score, factorScore, subjects } = kind;
    const { factors, keys } = FACTORS_OF.get(kind)!;
    for (const { reason, inputRecord } of factors) {
      await tsdb.waitFor(
        `${inputRecord} unless on (${keys.join(', ')}) ${factorScore}{${REASON_LABEL}=${quoteString(reason)}}`,
        (r) => r.length === 0,
        30_000
      );
    }
    await tsdb.waitFor(
      `${score} != (max without (reason) (${factorScore}) or ${subjects})`,
      (r) => r.length === 0,
      30_000
    );
  }
}

describe.each(SCENARIO_BACKENDS)('query() against a real $name', (backend) => {
  beforeAll(async () => {
    server = await backend.start();
    ({ tsdb, scenario } = server);
    ds = new DataSource(instanceSettings({ url: tsdb.url, authMethod: 'none' }), {
      transport: directTransport(tsdb.url),
      templateSrv: await dashboardVariables([
        variable('service', SERVICE),
        variable('maps', ['devices', 'sessions']),
        customVariable('anyService', [SERVICE, 'checkout'], '$__all', '.*'),
        customVariable('everyMap', ['devices', 'sessions'], '$__all'),
        variable('node', 'gpu-node-1'),
      ]),
    });
  }, 120_000);

  afterAll(async () => {
    await server?.stop();
  }, 60_000);

  it('scores every map and GPU exactly as the recording rules do', async () => {
    await tsdb.waitFor('presize:map_risk:score', (r) => r.length === 2, 30_000);
    await tsdb.waitFor('presize:gpu_risk:score', (r) => r.length === 2, 30_000);
    await scoresSettled(MAP_RISK_RECORDS, GPU_RISK_RECORDS);
    // The map and GPU scores are recorded by groups of their own, evaluated at different times:
    // read both at the later evaluation, where each has its latest sample.
    const at = Math.max(await evaluatedAt('presize:map_risk:score'), await evaluatedAt('presize:gpu_risk:score'));
    const [frame] = await run({ queryType: 'riskMap', subjects: 'all' }, at);
    const table = rows(frame!);
    expect(table.map((r) => r.Subject).sort()).toEqual(
      [
        'GPU 0 (NVIDIA H100 80GB HBM3) on gpu-node-1',
        'GPU 1 (NVIDIA H100 80GB HBM3) on gpu-node-1',
        'devices',
        'sessions',
        ...LRU_CACHES,
      ].sort()
    );

    const recorded = await tsdb.query('presize:map_risk:score', new Date(at));
    for (const sample of recorded) {
      const row = table.find((r) => r.Subject === sample.metric.presize_map_name)!;
      expectRecorded(backend, row.Score, sample.value);
    }
    const devices = table.find((r) => r.Subject === 'devices')!;
    expect(devices).toMatchObject({
      Service: SERVICE,
      Level: 'critical',
      'Top reason': 'Far past its hint',
      Hint: 5000,
    });
    expect(devices.Entries).toBe(120_000);
    // Sized right: 0.6 entries per entry of hint scores far below warn.
    const sessions = table.find((r) => r.Subject === 'sessions')!;
    expect(sessions.Level).toBe('ok');
    expect(sessions.Score).toBeLessThan(50);
    // Sorted worst first.
    expect(column(frame!, 'Score')).toEqual([...(column(frame!, 'Score') as number[])].sort((a, b) => b - a));
    expect(frame!.meta?.notices).toBeUndefined();

    // Two rows: each kind ranked in the store, its figures read for the listed subjects only.
    const [worst] = await run({ queryType: 'riskMap', subjects: 'all', rows: 2 }, at);
    expect(rows(worst!)).toEqual(table.slice(0, 2));
    expect(worst!.meta?.notices).toEqual([
      {
        severity: 'info',
        text: `The 2 highest-scoring of ${table.length} subjects. Raise Rows, or narrow by service or map, to list others.`,
      },
    ]);

    const gpuAt = await evaluatedAt('presize:gpu_risk:score');
    const [gpuFrame] = await run({ queryType: 'riskMap', subjects: 'gpus' }, gpuAt);
    const gpuRecorded = await tsdb.query('presize:gpu_risk:score', new Date(gpuAt));
    expect(gpuRecorded).toHaveLength(2);
    for (const sample of gpuRecorded) {
      const row = rows(gpuFrame!).find((r) => String(r.Subject).startsWith(`GPU ${sample.metric.gpu} `))!;
      expectRecorded(backend, row.Score, sample.value);
    }
    expect(
      rows(gpuFrame!)
        .map((r) => r.Level)
        .sort()
    ).toEqual(['critical', 'ok']);
  }, 60_000);

  it('accepts the risk map narrowed to 500 listed GPUs, within the query length the store allows', async () => {
    const listed = listedGpus(500);
    const gpus = RISK_SUBJECTS.find((s) => s.kind === 'gpu')!;
    const queries = subjectQueries(gpus, EMPTY_SCOPE, 600, listed);
    const answer = await tsdb.query(queries.factorScores);
    const nodes = new Set(listed.map((s) => s.labels.Hostname));
    expect(answer.filter((s) => !nodes.has(s.metric.Hostname ?? ''))).toEqual([]);
    // Naming every GPU by its UUID would take over 16 KiB, which VictoriaMetrics refuses by default.
    const byUuid = filterSelector(GPU_RISK_RECORDS.factorScore, [
      { label: 'UUID', values: listed.map((s) => s.labels.UUID) },
    ]);
    expect(queries.factorScores).not.toContain('UUID=');
    if (backend.name === 'VictoriaMetrics') await expect(tsdb.query(byUuid)).rejects.toThrow(/maxQueryLen/);
  });

  it('scores every lru-cache exactly as the recording rules do', async () => {
    await tsdb.waitFor('presize:lru_risk:score', (r) => r.length === LRU_CACHES.length, 30_000);
    await scoresSettled(LRU_RISK_RECORDS);
    const at = await evaluatedAt('presize:lru_risk:score');
    const [frame] = await run({ queryType: 'riskMap', subjects: 'caches', service: '$service' }, at);
    const table = rows(frame!);
    expect(table.map((r) => [r.Subject, r.Kind, r.Service])).toEqual([
      ['device-names', 'lru', SERVICE],
      ['tenants', 'lru', SERVICE],
    ]);
    const recorded = await tsdb.query('presize:lru_risk:score', new Date(at));
    for (const sample of recorded) {
      expectRecorded(backend, table.find((r) => r.Subject === sample.metric.presize_lru_name)!.Score, sample.value);
    }
    // Full and evicting about three times its contents in 5 minutes; the other evicts nothing.
    expect(table[0]).toMatchObject({ Level: 'warn', 'Top reason': 'Eviction churn', Entries: 2_000 });
    expect(table[1]).toMatchObject({ Level: 'ok', Score: 0, Entries: 120 });
  }, 60_000);

  it('advises the hint the devices map needed, and the doublings it would have saved', async () => {
    const [frame] = await run({ queryType: 'capacity', service: '$service', headroomPercent: 25 }, scenario.end * 1000);
    const devices = rows(frame!).find((r) => r.Map === 'devices')!;
    expect(scenario.devicesDoublings).toBe(5);
    expect(devices).toMatchObject({
      'Peak entries': 120_000,
      Hint: 5_000,
      'Advised hint': 150_000,
      'Doublings saved': 5,
      'B now → advised': '10 → 15',
    });
    expect(devices['Doublings seen']).toBe(5);
    expect(rows(frame!).find((r) => r.Map === 'sessions')).toMatchObject({ 'Doublings saved': 0 });
  });

  it('draws entries against hint and the next growth point for the chosen maps', async () => {
    const frames = await run(
      { queryType: 'mapGrowth', growthView: 'entries', service: '$service', map: '$maps' },
      scenario.end * 1000
    );
    expect(frames.map((f) => f.name).sort()).toEqual([
      'device-logs devices entries',
      'device-logs devices hint',
      'device-logs devices next growth at',
      'device-logs sessions entries',
      'device-logs sessions hint',
      'device-logs sessions next growth at',
    ]);
    const entries = frames.find((f) => f.name === 'device-logs devices entries')!;
    const values = entries.fields[1]!.values as number[];
    expect(values[values.length - 1]).toBe(120_000);
    expect(values[0]).toBeLessThan(5_000);
  });

  it('draws the same maps for All, with or without a custom all value, as for no filter', async () => {
    const names = async (target: Omit<PresizeQuery, 'refId'>) =>
      (await run({ queryType: 'mapGrowth', growthView: 'loadFactor', ...target }, scenario.end * 1000))
        .map((f) => f.name)
        .sort();
    const unfiltered = await names({});
    expect(unfiltered).toEqual(['device-logs devices load factor', 'device-logs sessions load factor']);
    expect(await names({ service: '$anyService' })).toEqual(unfiltered);
    expect(await names({ map: '$everyMap' })).toEqual(unfiltered);
    expect(await names({ service: '=~device-.*' })).toEqual(unfiltered);
    expect(await names({ map: '=~dev.*' })).toEqual(['device-logs devices load factor']);
  });

  it("draws each subject's risk level over time from the recorded scores", async () => {
    await tsdb.waitFor(MAP_RISK_RECORDS.score, (r) => r.length === 2, 30_000);
    await tsdb.waitFor(GPU_RISK_RECORDS.score, (r) => r.length === 2, 30_000);
    await tsdb.waitFor('presize:lru_risk:score', (r) => r.length === LRU_CACHES.length, 30_000);
    await scoresSettled(MAP_RISK_RECORDS, GPU_RISK_RECORDS, LRU_RISK_RECORDS);
    // The rule groups are evaluated one after the other: read once all three have recorded a score.
    const at = Math.max(
      await evaluatedAt(MAP_RISK_RECORDS.score),
      await evaluatedAt(GPU_RISK_RECORDS.score),
      await evaluatedAt('presize:lru_risk:score')
    );
    const frames = await run({ queryType: 'riskTimeline', subjects: 'all' }, at, 600_000);
    expect(frames.map((f) => f.name).sort()).toEqual(
      [
        ...LRU_CACHES.map((c) => `${SERVICE} ${c}`),
        `${SERVICE} devices`,
        `${SERVICE} sessions`,
        'GPU 0 (NVIDIA H100 80GB HBM3) on gpu-node-1',
        'GPU 1 (NVIDIA H100 80GB HBM3) on gpu-node-1',
      ].sort()
    );
    for (const frame of frames) {
      expect(frame.fields.map((f) => [f.name, f.type])).toEqual([
        ['Time', 'time'],
        ['Level', 'number'],
      ]);
    }
    // The last level of each map is the level of its recorded score at that time.
    const recorded = await tsdb.query(MAP_RISK_RECORDS.score, new Date(at));
    for (const sample of recorded) {
      const frame = frames.find((f) => f.name === `${SERVICE} ${sample.metric.presize_map_name}`)!;
      const levels = Array.from(frame.fields[1]!.values) as number[];
      expect(levels[levels.length - 1]).toBe(RISK_LEVEL_VALUES[levelForScore(sample.value)]);
    }
    expect(Array.from(frames.find((f) => f.name === `${SERVICE} devices`)!.fields[1]!.values).at(-1)).toBe(
      RISK_LEVEL_VALUES.critical
    );
    // Only the GPUs, of the chosen node.
    const gpuAt = await evaluatedAt(GPU_RISK_RECORDS.score);
    const gpus = await run({ queryType: 'riskTimeline', subjects: 'gpus', node: '$node' }, gpuAt, 600_000);
    expect(gpus.map((f) => f.name)).toEqual([
      'GPU 0 (NVIDIA H100 80GB HBM3) on gpu-node-1',
      'GPU 1 (NVIDIA H100 80GB HBM3) on gpu-node-1',
    ]);
    expect(await run({ queryType: 'riskTimeline', subjects: 'gpus', node: 'other-node' }, gpuAt, 600_000)).toEqual([]);
  }, 60_000);

  it('counts every growth once in the growths series, whatever the step', async () => {
    for (const intervalMs of [15_000, 60_000, 300_000]) {
      const request = {
        targets: [{ refId: 'A', queryType: 'mapGrowth', growthView: 'growths', map: 'devices' }],
        range: {
          from: dateTime(scenario.end * 1000 - 3600_000),
          to: dateTime(scenario.end * 1000),
          raw: { from: 'now-1h', to: 'now' },
        },
        intervalMs,
        maxDataPoints: 500,
        scopedVars: {},
      } as unknown as DataQueryRequest<PresizeQuery>;
      const { data } = await ds.query(request);
      expect(data.map((f: DataFrame) => f.name)).toEqual(['device-logs devices double growths']);
      const values = data[0].fields[1].values as number[];
      expect(values.reduce((a, b) => a + b, 0)).toBe(scenario.devicesDoublings);
    }
  });

  it('turns each doubling into a growth event', async () => {
    const [frame] = await run({ queryType: 'growthEvents', map: 'devices' }, scenario.end * 1000);
    expect(frame!.length).toBe(5);
    expect(column(frame!, 'text')[0]).toBe('devices in device-logs: doubling (load factor above 6.5)');
  });

  it('reports the SLO with the burn rates the Sloth rules record', async () => {
    await tsdb.waitFor('slo:period_error_budget_remaining:ratio', (r) => r.length === 1, 30_000);
    const at = await evaluatedAt('slo:period_error_budget_remaining:ratio');
    const [frame] = await run({ queryType: 'slo', service: SERVICE }, at);
    const [row] = rows(frame!);
    expect(row).toMatchObject({ Service: SERVICE, SLO: 'map-write-latency-p99', Objective: 0.99 });
    const [remaining] = await tsdb.query('slo:period_error_budget_remaining:ratio', new Date(at));
    expect(row!['Error budget remaining']).toBeCloseTo(remaining!.value, 9);
    // 2 % of writes over 1 ms against a 1 % budget: every window burns at 2×, so the ticket alert holds.
    expect(row!['Burn rate 1h']).toBeCloseTo(2, 6);
    expect(row!.Status).toBe('ticket');
  }, 60_000);

  it('lists template variable values and passes Save & test', async () => {
    expect(await ds.metricFindQuery('services()')).toEqual([{ text: SERVICE, value: SERVICE }]);
    expect((await ds.metricFindQuery('gpus()')).map((v) => v.text)).toEqual(['0', '1']);
    expect((await ds.metricFindQuery('nodes()')).map((v) => v.text)).toEqual(['gpu-node-1']);
    expect((await ds.metricFindQuery('slo_services()')).map((v) => v.text)).toEqual([SERVICE]);
    expect((await ds.metricFindQuery('slos($service)')).map((v) => v.text)).toEqual(['map-write-latency-p99']);
    expect(await ds.variableValues({ refId: 'V', kind: 'maps', argument: '$anyService' })).toEqual([
      { text: 'devices', value: 'devices' },
      { text: 'sessions', value: 'sessions' },
    ]);
    expect((await ds.variableValues({ refId: 'V', kind: 'gpus', argument: '$node' })).map((v) => v.text)).toEqual([
      '0',
      '1',
    ]);
    const result = await ds.testDatasource();
    expect(result.status).toBe('success');
    expect(result.message).toMatch(
      new RegExp(`^Connected to ${backend.server.source}: 2 presized maps and 2 GPUs reporting\\.$`)
    );
  });

  it("escapes any label value so that Prometheus' own parser reads back exactly that value", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string({ unit: HOSTILE_CHARACTER, minLength: 1, maxLength: 24 }), async (value) => {
        // label_replace writes the string literal as a label: it must arrive unchanged. Its
        // replacement is a template, so the test doubles `$` there; a selector has no templates.
        const literal = (v: string) => quoteString(v.replace(/\$/g, '$$$$'));
        const [written] = await ds.api.instant(`label_replace(vector(1), "v", ${literal(value)}, "", "")`, Date.now());
        expect(written!.labels.v).toBe(value);
        // label_replace's anchored RE2 must match the regex-escaped value, and only it.
        const probe = (candidate: string) =>
          `label_replace(label_replace(vector(1), "v", ${literal(candidate)}, "", ""), "m", "yes", "v", ${quoteString(escapeRegex(value))})`;
        const [same] = await ds.api.instant(probe(value), Date.now());
        const [other] = await ds.api.instant(probe(`${value}x`), Date.now());
        expect(same!.labels.m).toBe('yes');
        // An empty label is no label; VictoriaMetrics 1.79 returns label_replace's unmatched target empty.
        expect(other!.labels.m ?? '').toBe('');
      }),
      { numRuns: 60 }
    );
  }, 60_000);

  it('reports a query the server rejects with its own words', async () => {
    await expect(ds.api.instant('sum(', Date.now())).rejects.toThrow(
      `instant query failed (${backend.parseErrorType})`
    );
  });
});
