import { dateTime, type DataQueryRequest } from '@grafana/data';
import type { BackendSrv } from '@grafana/runtime';
import { lastValueFrom, throwError } from 'rxjs';

import { DataSource } from './datasource';
import { growthEventFrame } from './frames';
import { dataProxyTransport } from './transport/proxy-transport';
import { dashboardVariables, instanceSettings, variable } from './test-support';
import type { PresizeQuery, PresizeVariableQuery } from './types';
import type { PresizeVariableSupport } from './variables/variable-support';

type Answer = (path: string, params: URLSearchParams) => unknown;

async function datasource(
  answer: Answer,
  vars: Record<string, string | string[]> = {},
  url = 'http://prometheus:9090'
) {
  const calls: Array<{ path: string; params: URLSearchParams }> = [];
  const ds = new DataSource(instanceSettings({ url, authMethod: 'none' }), {
    transport: async (path, params) => {
      calls.push({ path, params });
      return answer(path, params);
    },
    templateSrv: await dashboardVariables(Object.entries(vars).map(([name, value]) => variable(name, value))),
  });
  return { ds, calls };
}

const vector = (result: Array<{ metric: Record<string, string>; value: number }>) => ({
  status: 'success',
  data: {
    resultType: 'vector',
    result: result.map((r) => ({ metric: r.metric, value: [1700000000, String(r.value)] })),
  },
});
const matrix = (result: Array<{ metric: Record<string, string>; values: Array<[number, number]> }>) => ({
  status: 'success',
  data: {
    resultType: 'matrix',
    result: result.map((r) => ({ metric: r.metric, values: r.values.map(([t, v]) => [t, String(v)]) })),
  },
});

function request(targets: PresizeQuery[]): DataQueryRequest<PresizeQuery> {
  const to = dateTime(1_700_000_000_000);
  const from = dateTime(1_700_000_000_000 - 3600_000);
  return {
    targets,
    range: { from, to, raw: { from: 'now-1h', to: 'now' } },
    intervalMs: 15_000,
    maxDataPoints: 1000,
    scopedVars: {},
    requestId: 'r',
    interval: '15s',
    timezone: 'utc',
    app: 'dashboard',
    startTime: 0,
  } as DataQueryRequest<PresizeQuery>;
}

describe('DataSource', () => {
  it('sends a variable holding PromQL as an escaped label value', async () => {
    const { ds, calls } = await datasource(() => matrix([]), { service: 'x"} or vector(1) #' });
    await ds.query(request([{ refId: 'A', queryType: 'mapGrowth', growthView: 'loadFactor', service: '$service' }]));
    expect(calls[0]!.path).toBe('api/v1/query_range');
    expect(calls[0]!.params.get('query')).toBe(
      'max by (job, presize_map_name) (presize_map_load_factor{job="x\\"} or vector(1) #"})'
    );
    expect(calls[0]!.params.get('step')).toBe('15');
  });

  it('builds time series frames named by service and map', async () => {
    const { ds } = await datasource(() =>
      matrix([
        {
          metric: { job: 'device-log', presize_map_name: 'devices' },
          values: [
            [1699996400, 3],
            [1699996415, 6.5],
          ],
        },
      ])
    );
    const response = await ds.query(request([{ refId: 'A', queryType: 'mapGrowth', growthView: 'loadFactor' }]));
    expect(response.errors).toBeUndefined();
    expect(response.data).toHaveLength(1);
    const frame = response.data[0];
    expect(frame.name).toBe('device-log devices load factor');
    expect(frame.fields[0].values).toEqual([1699996400000, 1699996415000]);
    expect(frame.fields[1].values).toEqual([3, 6.5]);
  });

  it("reports a failing query with Prometheus' words and still returns the other queries", async () => {
    const { ds } = await datasource((_path, params) =>
      params.get('query')!.includes('DCGM')
        ? { status: 'error', errorType: 'bad_data', error: 'parse error' }
        : matrix([{ metric: { job: 'j', presize_map_name: 'm' }, values: [[1, 1]] }])
    );
    const response = await ds.query(
      request([
        { refId: 'A', queryType: 'gpu', gpuFields: ['DCGM_FI_DEV_GPU_UTIL'] },
        { refId: 'B', queryType: 'mapGrowth', growthView: 'entries' },
      ])
    );
    expect(response.errors).toEqual([
      {
        refId: 'A',
        message: expect.stringMatching(/range query failed \(bad_data\): parse error\n  query: DCGM_FI_DEV_GPU_UTIL/),
      },
    ]);
    expect(response.data.map((f) => f.refId)).toEqual(['B', 'B', 'B']);
  });

  it('lists template variable values from label values', async () => {
    const { ds, calls } = await datasource(() => ({ status: 'success', data: ['sessions', 'devices'] }), {
      service: 'device-log',
    });
    expect(await ds.metricFindQuery('maps($service)')).toEqual([
      { text: 'devices', value: 'devices' },
      { text: 'sessions', value: 'sessions' },
    ]);
    expect(calls[0]!.path).toBe('api/v1/label/presize_map_name/values');
    expect(calls[0]!.params.getAll('match[]')).toEqual(['presize_map_entries{job="device-log"}']);
  });

  it('resolves the filters of queries for Explore as text the query reads back as the same filter', async () => {
    const { ds, calls } = await datasource(() => matrix([]), { service: ['a', 'b.c'], map: 'devices' });
    const [resolved] = ds.interpolateVariablesInQueries(
      [{ refId: 'A', queryType: 'mapGrowth', growthView: 'loadFactor', service: '$service', map: '$map', node: '' }],
      {}
    );
    expect(resolved).toEqual({
      refId: 'A',
      queryType: 'mapGrowth',
      growthView: 'loadFactor',
      service: '=~a|b\\.c',
      map: 'devices',
      node: '',
    });
    await ds.query(request([resolved!]));
    await ds.query(
      request([{ refId: 'A', queryType: 'mapGrowth', growthView: 'loadFactor', service: '$service', map: '$map' }])
    );
    expect(calls[0]!.params.get('query')).toBe(
      'max by (job, presize_map_name) (presize_map_load_factor{job=~"(?:a|b\\\\.c)",presize_map_name="devices"})'
    );
    expect(calls[1]!.params.get('query')).toBe(
      'max by (job, presize_map_name) (presize_map_load_factor{job=~"a|b\\\\.c",presize_map_name="devices"})'
    );
  });

  it('lists variable values through its variable support, as one text/value frame', async () => {
    const { ds, calls } = await datasource(() => ({ status: 'success', data: ['1', '0'] }), { node: 'gpu-node-1' });
    const response = await lastValueFrom(
      (ds.variables as PresizeVariableSupport).query({
        ...request([]),
        targets: [{ refId: 'V', kind: 'gpus', argument: '$node' }],
      } as unknown as DataQueryRequest<PresizeVariableQuery>)
    );
    expect(response.data[0].fields.map((f: { name: string; values: unknown[] }) => [f.name, f.values])).toEqual([
      ['text', ['0', '1']],
      ['value', ['0', '1']],
    ]);
    expect(calls.map((c) => c.params.getAll('match[]'))).toEqual([
      ['DCGM_FI_DEV_GPU_UTIL{Hostname="gpu-node-1"}'],
      ['DCGM_FI_DEV_GPU_UTIL{hostname="gpu-node-1"}'],
    ]);
    expect(calls[0]!.params.get('start')).toBe('1699996400.000');
  });

  describe('Save & test', () => {
    it('asks for the URL first', async () => {
      const { ds } = await datasource(() => ({}), {}, '');
      expect(await ds.testDatasource()).toEqual({ status: 'error', message: expect.stringMatching(/Enter the URL/) });
    });

    it('says when the server is not a Prometheus API', async () => {
      const { ds } = await datasource(() => '<html>');
      expect((await ds.testDatasource()).message).toMatch(/did not answer like a Prometheus API/);
    });

    it('says when Prometheus holds no Presize metrics', async () => {
      const { ds } = await datasource((path) =>
        path.endsWith('buildinfo') ? { status: 'success', data: { version: '2.42.0' } } : vector([])
      );
      const result = await ds.testDatasource();
      expect(result.status).toBe('error');
      expect(result.message).toMatch(/Connected to Prometheus API 2\.42\.0, but it holds no Presize metrics/);
    });

    it("explains Grafana's 400 for credentials the Prometheus API refused", async () => {
      const refused = {
        status: 400,
        statusText: 'Bad Request',
        data: { message: 'Authentication to data source failed' },
      };
      const ds = new DataSource(instanceSettings({ url: 'http://prometheus:9090', authMethod: 'basic' }), {
        transport: dataProxyTransport(
          '/api/datasources/proxy/uid/presize',
          'basic',
          () => ({ fetch: () => throwError(() => refused) }) as unknown as BackendSrv
        ),
        templateSrv: await dashboardVariables([]),
      });
      expect(await ds.testDatasource()).toEqual({
        status: 'error',
        message: expect.stringMatching(
          /^Cannot use http:\/\/prometheus:9090: the Prometheus API refused the credentials: it answered 401, which Grafana reports as 400/
        ),
      });
    });

    it('counts the maps and GPUs reporting', async () => {
      const { ds } = await datasource((path, params) =>
        path.endsWith('buildinfo')
          ? { status: 'success', data: { version: '2.42.0' } }
          : vector([{ metric: {}, value: params.get('query')!.includes('DCGM') ? 8 : 3 }])
      );
      expect(await ds.testDatasource()).toEqual({
        status: 'success',
        message: 'Connected to Prometheus API 2.42.0: 3 presized maps and 8 GPUs reporting.',
      });
    });
  });
});

describe('annotations', () => {
  it('start as growth events, drawn from the growth counter', async () => {
    const { ds, calls } = await datasource(() =>
      matrix([
        {
          metric: {
            job: 'device-log',
            presize_map_name: 'devices',
            presize_map_growth_kind: 'double',
            presize_map_growth_trigger: 'load_factor',
          },
          values: [
            [1699996400, 0],
            [1699996415, 1],
            [1699996430, 0],
            [1699996445, 2],
          ],
        },
      ])
    );
    const query = { refId: 'Anno', ...ds.annotations.getDefaultQuery!() } as PresizeQuery;
    const { data } = await ds.query(request([query]));
    expect(calls[0]!.params.get('query')).toBe(
      'sum by (job, presize_map_name, presize_map_growth_kind, presize_map_growth_trigger) ' +
        '(((presize_map_growths_total - presize_map_growths_total offset 15s) or (presize_map_growths_total unless presize_map_growths_total offset 15s))) > 0'
    );
    const frame = data[0];
    expect(frame.fields.map((f: { name: string }) => f.name)).toEqual([
      'time',
      'title',
      'text',
      'tags',
      'service',
      'map',
    ]);
    expect(frame.fields[0].values).toEqual([1699996415000, 1699996445000]);
    expect(frame.fields[2].values).toEqual([
      'devices in device-log: doubling (load factor above 6.5)',
      'devices in device-log: 2 doublings (load factor above 6.5)',
    ]);
    expect(frame.fields[3].values[0]).toEqual(['device-log', 'devices', 'double', 'load_factor']);
  });

  it('name the growths of every kind and trigger the telemetry defines, native Map rebuilds included', () => {
    const event = (kind: string, trigger: string, count = 1) => ({
      time: 0,
      count,
      service: 'api',
      map: 'sessions',
      kind,
      trigger,
    });
    const frame = growthEventFrame('A', [
      event('same_size', 'overflow'),
      event('v8_rehash', 'capacity', 3),
      event('v8_rehash', 'deleted_entries'),
      event('v8_shrink', 'low_occupancy'),
    ]);
    expect(frame.fields[2]!.values).toEqual([
      'sessions in api: same-size growth (too many overflow buckets)',
      'sessions in api: 3 table rebuilds (table full: doubled)',
      'sessions in api: table rebuild (half the slots held deleted entries: same size)',
      'sessions in api: table shrink (under a quarter full: halved)',
    ]);
  });
});
