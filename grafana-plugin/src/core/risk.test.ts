import {
  GPU_RISK_FACTORS,
  LRU_RISK_FACTORS,
  MAP_RISK_FACTORS,
  type RiskFactor,
  RISK_LEVEL_SCORES,
  scoreLru,
  scoreMap,
} from '@presize/definitions';

import type { InstantSample } from './prometheus-api';
import {
  type RiskKind,
  RISK_SUBJECTS,
  riskRows,
  type SubjectResults,
  sortRiskRows,
  rankingQueries,
  subjectQueries,
  wantedSubjects,
  checkRiskRows,
  MAX_NARROWING_BYTES,
} from './risk';
import { EMPTY_SCOPE, type Scope } from './scope';
import { listedGpus } from '../test-support';

const subject = (kind: RiskKind) => RISK_SUBJECTS.find((s) => s.kind === kind)!;
const values = (...v: string[]) => ({ values: v });
/**
 * What the risk map reads of the recording rules' series for these inputs: each subject's score
 * (the highest of its factor scores) and its factor scores above 0, each input scored by its factor.
 */
function recorded(
  factors: ReadonlyArray<RiskFactor<string>>,
  inputs: Record<string, InstantSample[]>,
  subjects: ReadonlyArray<InstantSample['labels']>
): Pick<SubjectResults, 'subjects' | 'factorScores'> {
  const factorScores = factors.flatMap((f) =>
    subjects.map((labels) => {
      const input = inputs[f.reason]?.find((s) => JSON.stringify(s.labels) === JSON.stringify(labels));
      return { labels: { ...labels, reason: f.reason }, value: input ? f.score(input.value) : 0 };
    })
  );
  const scores = subjects.map((labels) => ({
    labels,
    value: Math.max(...factorScores.filter((s) => sameSubject(s.labels, labels)).map((s) => s.value)),
  }));
  return { subjects: scores, factorScores: factorScores.filter((s) => s.value > 0) };
}
function sameSubject(a: InstantSample['labels'], b: InstantSample['labels']): boolean {
  const { reason: _reason, ...own } = a;
  return JSON.stringify(own) === JSON.stringify(b);
}
const mapRiskRows = (r: {
  mapInputs: Record<string, InstantSample[]>;
  entries: InstantSample[];
  hint: InstantSample[];
  growths: InstantSample[];
}) =>
  riskRows(
    subject('map'),
    {
      ...recorded(
        MAP_RISK_FACTORS,
        r.mapInputs,
        r.entries.map((s) => s.labels)
      ),
      extras: { entries: r.entries, hint: r.hint, growthsInRange: r.growths },
    },
    EMPTY_SCOPE
  );
const lruRiskRows = (r: { lruInputs: Record<string, InstantSample[]>; lruEntries: InstantSample[] }) =>
  riskRows(
    subject('lru'),
    {
      ...recorded(
        LRU_RISK_FACTORS,
        r.lruInputs,
        r.lruEntries.map((s) => s.labels)
      ),
      extras: { entries: r.lruEntries },
    },
    EMPTY_SCOPE
  );
const gpuRiskRows = (r: { gpuInputs: Record<string, InstantSample[]> }, scope: Scope) =>
  riskRows(
    subject('gpu'),
    {
      ...recorded(
        GPU_RISK_FACTORS,
        r.gpuInputs,
        (r.gpuInputs.down ?? []).map((s) => s.labels)
      ),
      extras: {},
    },
    scope
  );
const kinds = (show: Parameters<typeof wantedSubjects>[0], scope: Scope = EMPTY_SCOPE) =>
  wantedSubjects(show, scope).map((s) => s.kind);

const map = (job: string, name: string, value: number): InstantSample => ({
  labels: { job, presize_map_name: name },
  value,
});
const none: Record<string, InstantSample[]> = Object.fromEntries(
  MAP_RISK_FACTORS.map((f) => [f.reason, [] as InstantSample[]])
);

describe('risk map rows', () => {
  it('scores each map with the shared definitions and names the top reason', () => {
    const rows = mapRiskRows({
      mapInputs: {
        ...none,
        resize_storm: [map('device-log', 'devices', 6), map('device-log', 'sessions', 0)],
        hint_exceeded: [map('device-log', 'devices', 24)],
      },
      entries: [map('device-log', 'devices', 120_000), map('device-log', 'sessions', 900)],
      hint: [map('device-log', 'devices', 5_000), map('device-log', 'sessions', 1_000)],
      growths: [map('device-log', 'devices', 5)],
    });
    const devices = rows.find((r) => r.subject === 'devices')!;
    const expected = scoreMap({ resize_storm: 6, hint_exceeded: 24 });
    expect(devices.score).toBe(expected.score);
    expect(devices.level).toBe('critical');
    expect(devices.score).toBeGreaterThanOrEqual(RISK_LEVEL_SCORES.critical);
    expect(devices.topReason).toBe(expected.reasons[0]!.title);
    expect(devices.reasons).toBe('Far past its hint 100, Resize storm 80');
    expect(devices).toMatchObject({ service: 'device-log', entries: 120_000, hint: 5_000, growthsInRange: 5 });

    const sessions = rows.find((r) => r.subject === 'sessions')!;
    expect(sessions).toMatchObject({ score: 0, level: 'ok', topReason: '', growthsInRange: null });
  });

  it('names no top reason for an ok map, while its reasons still show what contributes', () => {
    const [row] = mapRiskRows({
      mapInputs: { ...none, hint_exceeded: [map('device-log', 'sessions', 0.6)] },
      entries: [map('device-log', 'sessions', 90_000)],
      hint: [map('device-log', 'sessions', 150_000)],
      growths: [],
    });
    expect(row).toMatchObject({ level: 'ok', topReason: '', reasons: 'Far past its hint 15' });
  });

  it('lists a GPU per device, narrowed to the chosen node, and scores the level the alerts use', () => {
    const gpu = (host: string, index: string, value: number): InstantSample => ({
      labels: {
        job: 'dcgm',
        instance: 'n:9400',
        gpu: index,
        UUID: `GPU-${host}-${index}`,
        modelName: 'NVIDIA L4',
        Hostname: host,
      },
      value,
    });
    const inputs = { down: [gpu('node-a', '0', 1), gpu('node-b', '0', 0)], framebuffer: [gpu('node-a', '0', 0.95)] };
    const all = gpuRiskRows({ gpuInputs: inputs }, EMPTY_SCOPE);
    expect(all.map((r) => [r.subject, r.level])).toEqual([
      ['GPU 0 (NVIDIA L4) on node-a', 'warn'],
      ['GPU 0 (NVIDIA L4) on node-b', 'critical'],
    ]);
    const onlyB = gpuRiskRows({ gpuInputs: inputs }, { ...EMPTY_SCOPE, nodes: values('node-b') });
    expect(onlyB.map((r) => r.topReason)).toEqual(['GPU or exporter down']);
  });

  it('scores each lru-cache with the shared definitions, beside the maps', () => {
    const cache = (name: string, value: number): InstantSample => ({
      labels: { job: 'checkout', presize_lru_name: name },
      value,
    });
    const rows = lruRiskRows({
      lruInputs: {
        eviction_churn: [cache('carts', 3)],
        misses_while_evicting: [cache('carts', 0.9), cache('prices', 0.1)],
      },
      lruEntries: [cache('carts', 10_000), cache('prices', 400), cache('idle', 0)],
    });
    const expected = scoreLru({ eviction_churn: 3, misses_while_evicting: 0.9 });
    expect(rows.find((r) => r.subject === 'carts')).toEqual({
      kind: 'lru',
      service: 'checkout',
      subject: 'carts',
      score: expected.score,
      level: 'critical',
      topReason: 'Misses while evicting',
      reasons: 'Misses while evicting 83, Eviction churn 70',
      entries: 10_000,
      hint: null,
      growthsInRange: null,
    });
    expect(rows.find((r) => r.subject === 'prices')).toMatchObject({
      level: 'ok',
      score: scoreLru({ misses_while_evicting: 0.1 }).score,
    });
    // A cache with no input yet is listed, at 0, as the recording rules' baseline lists it.
    expect(rows.find((r) => r.subject === 'idle')).toMatchObject({ level: 'ok', score: 0, topReason: '' });
  });

  it('puts the worst first', () => {
    const row = (subject: string, score: number) => ({
      ...mapRiskRows({ mapInputs: none, entries: [map('s', subject, 1)], hint: [], growths: [] })[0]!,
      score,
    });
    expect(sortRiskRows([row('a', 10), row('b', 90), row('c', 50)]).map((r) => r.subject)).toEqual(['b', 'c', 'a']);
  });

  it('scopes the recorded factor scores to the chosen service and map, and the figures beside them', () => {
    const queries = subjectQueries(
      subject('map'),
      { ...EMPTY_SCOPE, services: values('device-log'), maps: { values: [], pattern: 'dev.*' } },
      3600
    );
    // Only the labels a row is built from.
    expect(queries.factorScores).toBe(
      'max by (job, presize_map_name, reason) (presize:map_risk_factor:score{job="device-log",presize_map_name=~"(?:dev.*)"} > 0)'
    );
    expect(queries.extras.find((q) => q.extra === 'growthsInRange')!.expr).toBe(
      'sum by (job, presize_map_name) (increase(presize_map_growths_total{job="device-log",presize_map_name=~"(?:dev.*)"}[3600s]))'
    );
    expect(subjectQueries(subject('map'), EMPTY_SCOPE, 3600).factorScores).toBe(
      'max by (job, presize_map_name, reason) (presize:map_risk_factor:score > 0)'
    );
    expect(kinds('all', { ...EMPTY_SCOPE, services: values('x') })).toEqual(['map', 'lru']);
    expect(kinds('gpus', { ...EMPTY_SCOPE, services: values('x') })).toEqual(['gpu']);
    // GPUs are read whole and narrowed after reading, where PromQL cannot match both node labels.
    // GPUs have no entries figure: their scores list them all.
    expect(rankingQueries(subject('gpu'), { ...EMPTY_SCOPE, nodes: values('node-a') }, 500)).toEqual({
      subjects: 'max by (job, instance, gpu, UUID, modelName, Hostname, hostname) (presize:gpu_risk:score)',
    });
    const pattern = gpuRiskRows(
      { gpuInputs: { down: [] } },
      { ...EMPTY_SCOPE, nodes: { values: [], pattern: 'node-.*' } }
    );
    expect(pattern).toEqual([]);
  });

  it('ranks a subject from its recorded factor scores alone, ties to the earlier factor', () => {
    const labels = { job: 'device-log', presize_map_name: 'devices' };
    const factor = (reason: string, value: number): InstantSample => ({ labels: { ...labels, reason }, value });
    const [row, quiet] = riskRows(
      subject('map'),
      {
        subjects: [
          { labels, value: 60 },
          { labels: { ...labels, presize_map_name: 'sessions' }, value: 0 },
        ],
        factorScores: [factor('same_size_growth', 60), factor('resize_storm', 60)],
        extras: {},
      },
      EMPTY_SCOPE
    );
    expect(row).toMatchObject({
      service: 'device-log',
      subject: 'devices',
      score: 60,
      level: 'warn',
      topReason: 'Resize storm',
      reasons: 'Resize storm 60, Same-size growths 60',
      entries: null,
    });
    // Listed by its score alone: no factor above 0 reached the table.
    expect(quiet).toMatchObject({ subject: 'sessions', score: 0, level: 'ok', topReason: '', reasons: '' });
  });

  it('narrows lru-caches by service only, and lists them unless a map or another kind is chosen', () => {
    const queries = subjectQueries(
      subject('lru'),
      { ...EMPTY_SCOPE, services: values('checkout'), maps: values('sessions') },
      3600
    );
    expect(queries.factorScores).toBe(
      'max by (job, presize_lru_name, reason) (presize:lru_risk_factor:score{job="checkout"} > 0)'
    );
    expect(queries.extras).toEqual([
      { extra: 'entries', expr: 'max by (job, presize_lru_name) (presize_lru_entries{job="checkout"})' },
    ]);

    expect(kinds(undefined)).toEqual(['map', 'lru', 'gpu']);
    expect(kinds('all', { ...EMPTY_SCOPE, services: values('checkout') })).toContain('lru');
    expect(kinds('all', { ...EMPTY_SCOPE, maps: values('sessions') })).toEqual(['map']);
    expect(kinds('caches', { ...EMPTY_SCOPE, maps: values('sessions') })).toEqual(['lru']);
    expect(kinds('maps')).toEqual(['map']);
    expect(kinds('gpus')).toEqual(['gpu']);
  });

  it('has one entry per kind, each with the factors and score record of the shared definitions', () => {
    expect(RISK_SUBJECTS.map((s) => [s.kind, s.scoreRecord, s.factorScoreRecord, s.factors.length > 0])).toEqual([
      ['map', 'presize:map_risk:score', 'presize:map_risk_factor:score', true],
      ['lru', 'presize:lru_risk:score', 'presize:lru_risk_factor:score', true],
      ['gpu', 'presize:gpu_risk:score', 'presize:gpu_risk_factor:score', true],
    ]);
  });

  it('ranks the subjects in PromQL: the highest scores, with the maps the rules have not scored yet at 0, and their count', () => {
    const scope = { ...EMPTY_SCOPE, services: values('device-log') };
    const all =
      'max by (job, presize_map_name) (presize:map_risk:score{job="device-log"})' +
      ' or max by (job, presize_map_name) (presize_map_entries{job="device-log"}) * 0';
    expect(rankingQueries(subject('map'), scope, 20)).toEqual({ subjects: `topk(20, ${all})`, count: `count(${all})` });
    // GPUs with no node or GPU chosen are ranked in PromQL like the rest.
    expect(rankingQueries(subject('gpu'), EMPTY_SCOPE, 20).subjects).toBe(
      'topk(20, max by (job, instance, gpu, UUID, modelName, Hostname, hostname) (presize:gpu_risk:score))'
    );
  });

  it('reads the figures of the listed subjects only, each key label narrowed to their values, escaped', () => {
    const listed = [
      map('device-log', 'devices.v2', 90),
      map('checkout', 'carts', 80),
      map('checkout', 'devices.v2', 70),
    ];
    const queries = subjectQueries(
      subject('map'),
      { ...EMPTY_SCOPE, services: values('device-log', 'checkout') },
      600,
      listed
    );
    expect(queries.factorScores).toBe(
      'max by (job, presize_map_name, reason) (presize:map_risk_factor:score{job=~"device-log|checkout",' +
        'presize_map_name=~"devices\\\\.v2|carts"} > 0)'
    );
    expect(queries.extras.find((q) => q.extra === 'entries')!.expr).toBe(
      'max by (job, presize_map_name) (presize_map_entries{job=~"device-log|checkout",' +
        'presize_map_name=~"devices\\\\.v2|carts"})'
    );
  });

  it('lists only the ranked subjects: figures of a subject the narrowing kept but the ranking did not are dropped', () => {
    const listed = [map('device-log', 'devices', 90), map('checkout', 'carts', 0)];
    const rows = riskRows(
      subject('map'),
      {
        subjects: listed,
        factorScores: [
          { labels: { job: 'device-log', presize_map_name: 'devices', reason: 'resize_storm' }, value: 90 },
          // device-log's carts: its service and name each belong to a listed map, the pair does not.
          { labels: { job: 'device-log', presize_map_name: 'carts', reason: 'resize_storm' }, value: 95 },
        ],
        extras: {
          entries: [map('device-log', 'devices', 10), map('device-log', 'carts', 20), map('checkout', 'carts', 30)],
        },
      },
      EMPTY_SCOPE
    );
    expect(rows.map((r) => [r.service, r.subject, r.score, r.entries])).toEqual([
      ['device-log', 'devices', 90, 10],
      ['checkout', 'carts', 0, 30],
    ]);
  });

  it('takes a whole number of rows from 1 to 100,000 and names anything else', () => {
    expect(checkRiskRows(1)).toBe(1);
    expect(checkRiskRows(100_000)).toBe(100_000);
    for (const bad of [0, -5, 2.5, Number.NaN, Infinity, 100_001]) {
      expect(() => checkRiskRows(bad)).toThrow(`Rows must be a whole number from 1 to 100000, got ${String(bad)}`);
    }
  });

  it('narrows by the shortest key labels only, so that no query passes the length a store accepts', () => {
    const gpus = listedGpus(500);
    const queries = subjectQueries(subject('gpu'), EMPTY_SCOPE, 600, gpus);
    expect(queries.factorScores.length).toBeLessThan(MAX_NARROWING_BYTES + 200);
    // 500 UUIDs would take 23 KiB: left out; node and index narrow instead.
    expect(queries.factorScores).not.toContain('UUID=');
    expect(queries.factorScores).toContain('Hostname=~"gpu-node-0|gpu-node-1|');
    expect(queries.factorScores).toContain('gpu=~"0|1|2|3|4|5|6|7"');
    expect(queries.factorScores).toContain('hostname=""');

    const maps = Array.from({ length: 500 }, (_, i) => map(`service-${String(i).padStart(3, '0')}`, 'sessions', 90));
    const mapQueries = subjectQueries(subject('map'), EMPTY_SCOPE, 600, maps);
    expect(mapQueries.factorScores).toContain('presize_map_name="sessions"');
    expect(mapQueries.factorScores).toContain('job=~"service-000|service-001|');
    // Counted in bytes, as the stores count: 500 names of 12 two-byte letters are 12 KiB, not 6.
    const greek = Array.from({ length: 500 }, (_, i) => map('checkout', `${'λ'.repeat(12)}${i}`, 90));
    expect(subjectQueries(subject('map'), EMPTY_SCOPE, 600, greek).factorScores).not.toContain('presize_map_name=~');
    // Names too long for any label to fit narrow nothing: every figure is read, the rows stay right.
    const long = Array.from({ length: 500 }, (_, i) => map(`${'s'.repeat(40)}-${i}`, `${'m'.repeat(40)}-${i}`, 90));
    expect(subjectQueries(subject('map'), EMPTY_SCOPE, 600, long).factorScores).toBe(
      'max by (job, presize_map_name, reason) (presize:map_risk_factor:score > 0)'
    );
  });
});
