import { nativeMapsFromEnv } from '../src/native-maps-from-env';

// Read before anything is installed: what Map.prototype.set must be again after each uninstall.
const engineSet = Map.prototype.set;

describe('PRESIZE_NATIVE_MAPS from the environment', () => {
  it('is off unless asked for, and names a value it does not understand', () => {
    expect(nativeMapsFromEnv({})).toEqual({ observer: undefined, problems: [] });
    expect(nativeMapsFromEnv({ PRESIZE_NATIVE_MAPS: 'off' })).toEqual({ observer: undefined, problems: [] });
    const wrong = nativeMapsFromEnv({ PRESIZE_NATIVE_MAPS: 'yes' });
    expect(wrong.observer).toBeUndefined();
    expect(wrong.problems).toEqual([
      'PRESIZE_NATIVE_MAPS="yes": expected observe or off; native maps are not observed',
    ]);
    expect(Map.prototype.set).toBe(engineSet);
  });

  it('installs with the given threshold, or with the default and a message when it is bad', () => {
    const good = nativeMapsFromEnv({ PRESIZE_NATIVE_MAPS: 'observe', PRESIZE_NATIVE_MAPS_MIN: '131_072' });
    expect(good.problems).toEqual([]);
    expect(good.observer?.minEntries).toBe(131072);
    good.observer?.uninstall();
    const bad = nativeMapsFromEnv({ PRESIZE_NATIVE_MAPS: 'observe', PRESIZE_NATIVE_MAPS_MIN: '-3' });
    expect(bad.problems).toEqual([
      'PRESIZE_NATIVE_MAPS_MIN="-3": expected a whole number of entries >= 1; using 65536',
    ]);
    expect(bad.observer?.minEntries).toBe(65536);
    bad.observer?.uninstall();
    expect(Map.prototype.set).toBe(engineSet);
  });

  it('names a PRESIZE_NATIVE_MAPS_ENGINE_LIMIT it does not understand, and still observes', () => {
    const odd = nativeMapsFromEnv({ PRESIZE_NATIVE_MAPS: 'observe', PRESIZE_NATIVE_MAPS_ENGINE_LIMIT: '16M' });
    expect(odd.problems).toEqual([
      `PRESIZE_NATIVE_MAPS_ENGINE_LIMIT="16M": expected a whole number of entries >= 4; using the engine's ${2 ** 24}`,
    ]);
    expect(odd.observer).toBeDefined();
    odd.observer?.uninstall();
    expect(Map.prototype.set).toBe(engineSet);
  });
});
