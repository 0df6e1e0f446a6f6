import { isSingleVariable, parseVariableQuery, variableLookups } from './variables';

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

  it('looks maps up on the chosen services, escaped', () => {
    expect(variableLookups({ kind: 'maps' }, ['a"b', 'c'])).toEqual([
      { label: 'presize_map_name', match: 'presize_map_entries{job=~"a\\"b|c"}' },
    ]);
    expect(variableLookups({ kind: 'services' }, [])).toEqual([{ label: 'job', match: 'presize_map_entries' }]);
    expect(variableLookups({ kind: 'slo_services' }, [])).toEqual([{ label: 'sloth_service', match: 'slo:objective:ratio' }]);
    expect(variableLookups({ kind: 'slos' }, ['device-logs'])).toEqual([
      { label: 'sloth_slo', match: 'slo:objective:ratio{sloth_service="device-logs"}' },
    ]);
  });

  it('lists nodes and their GPUs under Hostname and under hostname (dcgm-exporter renamed it)', () => {
    expect(variableLookups({ kind: 'nodes' }, [])).toEqual([
      { label: 'Hostname', match: 'DCGM_FI_DEV_GPU_UTIL' },
      { label: 'hostname', match: 'DCGM_FI_DEV_GPU_UTIL' },
    ]);
    expect(variableLookups({ kind: 'gpus' }, ['node-1'])).toEqual([
      { label: 'gpu', match: 'DCGM_FI_DEV_GPU_UTIL{Hostname="node-1"}' },
      { label: 'gpu', match: 'DCGM_FI_DEV_GPU_UTIL{hostname="node-1"}' },
    ]);
  });

  it('tells a lone variable reference from text that merely contains one', () => {
    for (const text of ['$service', '${service}', '${service:regex}', '[[service]]', ' $x ']) {
      expect(isSingleVariable(text)).toBe(true);
    }
    for (const text of ['svc-$x', '$x$y', 'device-log', '']) {
      expect(isSingleVariable(text)).toBe(false);
    }
  });
});
