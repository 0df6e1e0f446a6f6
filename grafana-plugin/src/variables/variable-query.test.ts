import { parseVariableQuery, readVariableQuery, variableLookups } from './variable-query';

describe('template variable queries', () => {
  it('parses each kind, with or without an argument', () => {
    expect(parseVariableQuery('services()')).toEqual({ kind: 'services' });
    expect(parseVariableQuery(' maps( $service ) ')).toEqual({ kind: 'maps', argument: '$service' });
    expect(parseVariableQuery('gpus("node-1")')).toEqual({ kind: 'gpus', argument: 'node-1' });
    expect(parseVariableQuery('slos()')).toEqual({ kind: 'slos' });
    expect(parseVariableQuery('slo_services()')).toEqual({ kind: 'slo_services' });
  });

  it('names the accepted forms when the query is not one', () => {
    expect(() => parseVariableQuery('label_values(job)')).toThrow(/not a Presize variable query; use services\(\)/);
    expect(() => parseVariableQuery('services(x)')).toThrow(/services\(\) takes no argument/);
  });

  it("reads the editor's object form and the text form of earlier dashboards alike", () => {
    expect(readVariableQuery('maps($service)')).toEqual({ kind: 'maps', argument: '$service' });
    expect(readVariableQuery({ refId: 'V', kind: 'gpus', argument: ' ' })).toEqual({ kind: 'gpus' });
    expect(readVariableQuery({ refId: 'V', kind: 'services', argument: 'x' })).toEqual({ kind: 'services' });
    expect(() => readVariableQuery({ refId: 'V' })).toThrow(/choose what the variable lists: Services, Maps/);
  });

  it('looks maps up on the chosen services, escaped', () => {
    expect(variableLookups({ kind: 'maps' }, { values: ['a"b', 'c'] })).toEqual([
      { label: 'presize_map_name', match: 'presize_map_entries{job=~"a\\"b|c"}' },
    ]);
    expect(variableLookups({ kind: 'services' }, { values: [] })).toEqual([
      { label: 'job', match: 'presize_map_entries' },
    ]);
    expect(variableLookups({ kind: 'slo_services' }, { values: [] })).toEqual([
      { label: 'sloth_service', match: 'slo:objective:ratio' },
    ]);
    expect(variableLookups({ kind: 'slos' }, { values: ['device-logs'] })).toEqual([
      { label: 'sloth_slo', match: 'slo:objective:ratio{sloth_service="device-logs"}' },
    ]);
  });

  it("lists GPU nodes and the GPUs of a node under either name of dcgm-exporter's node label", () => {
    expect(variableLookups({ kind: 'nodes' }, { values: [] })).toEqual([
      { label: 'Hostname', match: 'DCGM_FI_DEV_GPU_UTIL' },
      { label: 'hostname', match: 'DCGM_FI_DEV_GPU_UTIL' },
    ]);
    expect(variableLookups({ kind: 'gpus' }, { values: [], pattern: 'node-.*' })).toEqual([
      { label: 'gpu', match: 'DCGM_FI_DEV_GPU_UTIL{Hostname=~"(?:node-.*)"}' },
      { label: 'gpu', match: 'DCGM_FI_DEV_GPU_UTIL{hostname=~"(?:node-.*)"}' },
    ]);
  });
});
