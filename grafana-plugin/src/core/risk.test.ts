import { MAP_RISK_FACTORS, RISK_LEVEL_SCORES, scoreMap } from '@presize/definitions';

import type { InstantSample } from './prometheus-api';
import { gpuRiskRows, mapRiskRows, riskQueries, sortRiskRows, wantsGpus } from './risk';
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
});
