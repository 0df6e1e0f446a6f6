import { doublingsLeft, engineLimitOfVersions, resolveEngineLimit } from '../../src/native/engine-limit';

describe('the engine limit of native Maps and Sets', () => {
  it('is 2^24 on the V8 of every supported Node, unknown on another engine', () => {
    expect(engineLimitOfVersions(process.versions)).toBe(2 ** 24);
    expect(engineLimitOfVersions({ v8: '13.6.233.17-node.53' })).toBe(2 ** 24);
    expect(engineLimitOfVersions({ v8: '6.8.275.32-node.12' })).toBeUndefined();
    expect(engineLimitOfVersions({ bun: '1.2.0' })).toBeUndefined();
  });

  it('takes PRESIZE_NATIVE_MAPS_ENGINE_LIMIT when it is a whole number of entries >= 4', () => {
    expect(resolveEngineLimit({}, { v8: '11.3.244.8' })).toEqual({
      entries: 2 ** 24,
      source: 'engine',
      problem: undefined,
    });
    expect(resolveEngineLimit({ PRESIZE_NATIVE_MAPS_ENGINE_LIMIT: '262_144' }, { v8: '11.3.244.8' })).toEqual({
      entries: 262_144,
      source: 'env',
      problem: undefined,
    });
    expect(resolveEngineLimit({ PRESIZE_NATIVE_MAPS_ENGINE_LIMIT: '1000' }, {})).toMatchObject({
      entries: 1000,
      source: 'env',
    });
  });

  it('names a value it does not understand and keeps what the engine says', () => {
    expect(resolveEngineLimit({ PRESIZE_NATIVE_MAPS_ENGINE_LIMIT: '2' }, { v8: '11.3.244.8' })).toEqual({
      entries: 2 ** 24,
      source: 'engine',
      problem: `PRESIZE_NATIVE_MAPS_ENGINE_LIMIT="2": expected a whole number of entries >= 4; using the engine's ${2 ** 24}`,
    });
    expect(resolveEngineLimit({ PRESIZE_NATIVE_MAPS_ENGINE_LIMIT: 'lots' }, {})).toEqual({
      entries: undefined,
      source: 'unknown',
      problem: 'PRESIZE_NATIVE_MAPS_ENGINE_LIMIT="lots": expected a whole number of entries >= 4; no limit is reported',
    });
  });

  it('counts the doublings a table can still make: none once its capacity is the limit', () => {
    expect(doublingsLeft(4, 2 ** 24)).toBe(22);
    expect(doublingsLeft(2 ** 23, 2 ** 24)).toBe(1);
    expect(doublingsLeft(2 ** 24, 2 ** 24)).toBe(0);
    expect(doublingsLeft(4096, 5000)).toBe(0);
  });
});
