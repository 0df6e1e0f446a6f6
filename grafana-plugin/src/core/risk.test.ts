import { LRU_RISK_FACTORS, MAP_RISK_FACTORS, RISK_LEVEL_SCORES, scoreLru, scoreMap } from '@presize/definitions';

import type { InstantSample } from './prometheus-api';
import { gpuRiskRows, lruRiskRows, mapRiskRows, riskQueries, sortRiskRows, wantsCaches, wantsGpus, wantsMaps } from './risk';
import { EMPTY_SCOPE } from './queries';

const map = (job: string, name: string, value: number): InstantSample => ({ labels: { job, presize_map_name: name }, value });
const none = Object.fromEntries(MAP_RISK_FACTORS.map((f) => [f.reason, [] as InstantSample[]]));

describe('risk map rows', () => {
  it('scores each map with the shared definitions and names the top reason', () => {
    const rows = mapRiskRows({
      mapInputs: {
        ...none,
        resize_storm: [map('device-log', 'devices', 6), map('device-log', 'sessions', 0)],
        hint_exceeded: [map('device-log', 'devices', 24)],
      },
      gpuInputs: {},
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
      gpuInputs: {},
      entries: [map('device-log', 'sessions', 90_000)],
      hint: [map('device-log', 'sessions', 150_000)],
      growths: [],
    });
    expect(row).toMatchObject({ level: 'ok', topReason: '', reasons: 'Far past its hint 15' });
  });

  it('lists a GPU per device, narrowed to the chosen node, and scores the level the alerts use', () => {
    const gpu = (host: string, index: string, value: number): InstantSample => ({
      labels: { job: 'dcgm', instance: 'n:9400', gpu: index, UUID: `GPU-${host}-${index}`, modelName: 'NVIDIA L4', Hostname: host },
      value,
    });
    const inputs = { down: [gpu('node-a', '0', 1), gpu('node-b', '0', 0)], framebuffer: [gpu('node-a', '0', 0.95)] };
    const all = gpuRiskRows({ gpuInputs: inputs }, EMPTY_SCOPE);
    expect(all.map((r) => [r.subject, r.level])).toEqual([
      ['GPU 0 (NVIDIA L4) on node-a', 'warn'],
      ['GPU 0 (NVIDIA L4) on node-b', 'critical'],
    ]);
    const onlyB = gpuRiskRows({ gpuInputs: inputs }, { ...EMPTY_SCOPE, nodes: ['node-b'] });
    expect(onlyB.map((r) => r.topReason)).toEqual(['GPU or exporter down']);
  });

  it('scores each lru-cache with the shared definitions, beside the maps', () => {
    const cache = (name: string, value: number): InstantSample => ({ labels: { job: 'checkout', presize_lru_name: name }, value });
    const rows = lruRiskRows({
      lruInputs: { eviction_churn: [cache('carts', 3)], misses_while_evicting: [cache('carts', 0.9), cache('prices', 0.1)] },
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
    expect(rows.find((r) => r.subject === 'prices')).toMatchObject({ level: 'ok', score: scoreLru({ misses_while_evicting: 0.1 }).score });
    // A cache with no input yet is listed, at 0, as the recording rules' baseline lists it.
    expect(rows.find((r) => r.subject === 'idle')).toMatchObject({ level: 'ok', score: 0, topReason: '' });
  });

  it('puts the worst first', () => {
    const row = (subject: string, score: number) => ({ ...mapRiskRows({ mapInputs: none, gpuInputs: {}, entries: [map('s', subject, 1)], hint: [], growths: [] })[0]!, score });
    expect(sortRiskRows([row('a', 10), row('b', 90), row('c', 50)]).map((r) => r.subject)).toEqual(['b', 'c', 'a']);
  });

  it('scopes the recorded inputs to the chosen service without touching their formula', () => {
    const queries = riskQueries({ ...EMPTY_SCOPE, services: ['device-log'] }, 3600);
    const storm = queries.mapInputs.find((q) => q.reason === 'resize_storm')!;
    expect(storm.expr).toBe(
      `(${MAP_RISK_FACTORS[0]!.inputExpr}) and on (job, presize_map_name) presize_map_entries{job="device-log"}`
    );
    expect(queries.growths).toBe('sum by (job, presize_map_name) (increase(presize_map_growths_total{job="device-log"}[3600s]))');
    expect(wantsGpus('all', { ...EMPTY_SCOPE, services: ['x'] })).toBe(false);
    expect(wantsGpus('gpus', { ...EMPTY_SCOPE, services: ['x'] })).toBe(true);
  });

  it('narrows lru-caches by service only, and lists them unless a map or another kind is chosen', () => {
    const queries = riskQueries({ ...EMPTY_SCOPE, services: ['checkout'], maps: ['sessions'] }, 3600);
    expect(queries.lruInputs.map((q) => q.reason)).toEqual(LRU_RISK_FACTORS.map((f) => f.reason));
    expect(queries.lruInputs[0]!.expr).toBe(
      `(${LRU_RISK_FACTORS[0]!.inputExpr}) and on (job, presize_lru_name) presize_lru_entries{job="checkout"}`
    );
    expect(queries.lruEntries).toBe('max by (job, presize_lru_name) (presize_lru_entries{job="checkout"})');
    expect(riskQueries(EMPTY_SCOPE, 3600).lruInputs[1]!.expr).toBe(LRU_RISK_FACTORS[1]!.inputExpr);

    expect(wantsCaches(undefined, EMPTY_SCOPE)).toBe(true);
    expect(wantsCaches('all', { ...EMPTY_SCOPE, services: ['checkout'] })).toBe(true);
    expect(wantsCaches('all', { ...EMPTY_SCOPE, maps: ['sessions'] })).toBe(false);
    expect(wantsCaches('caches', { ...EMPTY_SCOPE, maps: ['sessions'] })).toBe(true);
    expect(wantsCaches('maps', EMPTY_SCOPE)).toBe(false);
    expect(wantsCaches('gpus', EMPTY_SCOPE)).toBe(false);
    expect(wantsMaps('caches')).toBe(false);
    expect(wantsGpus('caches', EMPTY_SCOPE)).toBe(false);
  });
});
