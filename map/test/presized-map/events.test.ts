import diagnostics_channel from 'node:diagnostics_channel';
import { MAP_CHANNELS } from '../../src/events.js';
import { PresizedMap } from '../../src/presized-map.js';
import { checkInvariants } from '../../src/invariants.js';
import { deviceKey, recordEvents } from './support.js';

// Channels are global by name: these are the very objects the map publishes on.
const allChannels = Object.values(MAP_CHANNELS).map((name) => diagnostics_channel.channel(name));
const growStartChannel = diagnostics_channel.channel(MAP_CHANNELS.growStart);

/** Expects `event` to hold `map` itself, and besides it exactly `fields`. */
function expectEventOf(event: Record<string, unknown>, map: PresizedMap<string, number>, fields: object): void {
  expect(event['map']).toBe(map);
  expect({ ...event, map: null }).toEqual({ map: null, ...fields });
}

describe('diagnostics channel events', () => {
  test('create carries the map, its id, name, hint and B', () => {
    const recorder = recordEvents();
    let map: PresizedMap<string, number>;
    try {
      map = new PresizedMap<string, number>({ hint: 5000, name: 'devices' });
    } finally {
      recorder.stop();
    }
    const created = recorder.of('create').filter((e) => e['mapId'] === map.id);
    expect(created).toEqual([{ map, mapId: map.id, name: 'devices', hint: 5000, B: 10 }]);
  });

  test('ids are unique, kept on globalThis for every copy of the package, and name the map by default', () => {
    const a = new PresizedMap();
    const b = new PresizedMap();
    expect(b.id).toBeGreaterThan(a.id);
    expect(a.name).toBe(`presized-map-${a.id}`);
    const counter = (globalThis as unknown as Record<symbol, { value: number }>)[Symbol.for('presize.map.id')]!;
    expect(counter.value).toBe(b.id);
    counter.value += 100;
    expect(new PresizedMap().id).toBe(b.id + 101);
  });

  test('a doubling publishes growStart, evacuate steps that add up, and growEnd', () => {
    const map = new PresizedMap<string, number>({ name: 'grow', seed: 42 });
    const recorder = recordEvents((id) => id === map.id);
    try {
      for (let i = 0; i < 3329; i++) map.set(deviceKey(i), i);
      while (map.stats().growing) map.set(deviceKey(map.size), map.size);
    } finally {
      recorder.stop();
    }
    const starts = recorder.of('growStart');
    const ends = recorder.of('growEnd');
    expect(starts).toHaveLength(10);
    expect(ends).toHaveLength(10);
    // The last doubling, as its start and end both describe it.
    const growth = { mapId: map.id, name: 'grow', kind: 'double', trigger: 'load_factor', oldB: 9, newB: 10 };
    const last = starts[9]!;
    expectEventOf(last, map, {
      ...growth,
      size: 3328,
      overflowBuckets: expect.any(Number),
      allocationNs: expect.any(Number),
    });
    expect(last['allocationNs']).toBeGreaterThan(0);

    // The evacuate events of the last growth: everything after its growStart.
    const lastStart = recorder.events.findIndex((e) => e.message === last);
    const steps = recorder.events
      .slice(lastStart)
      .filter((e) => e.channel === 'evacuate')
      .map((e) => e.message);
    expect(steps.length).toBeGreaterThan(100);
    for (const step of steps) {
      expect(Object.keys(step).sort()).toEqual(
        ['bucketsEvacuated', 'durationNs', 'entriesMoved', 'evacuated', 'map', 'mapId', 'name', 'oldBuckets'].sort(),
      );
      expect([1, 2]).toContain(step['bucketsEvacuated']);
      expect(step['oldBuckets']).toBe(512);
      expect(step['durationNs']).toBeGreaterThanOrEqual(0);
    }
    // Every old bucket is evacuated exactly once, and the entries moved are those present at the start.
    expect(steps.reduce((sum, s) => sum + (s['bucketsEvacuated'] as number), 0)).toBe(512);
    expect(steps.reduce((sum, s) => sum + (s['entriesMoved'] as number), 0)).toBe(3328);
    const evacuated = steps.map((s) => s['evacuated'] as number);
    expect(evacuated).toEqual([...evacuated].sort((x, y) => x - y));
    expect(evacuated[evacuated.length - 1]).toBe(512);

    const end = ends[9]!;
    expectEventOf(end, map, {
      ...growth,
      // The write that ended the growth inserted its key after the evacuation.
      size: map.size - 1,
      operations: steps.length,
      evacuationNs: expect.any(Number),
      durationNs: expect.any(Number),
    });
    expect(end['evacuationNs']).toBe(steps.reduce((sum, s) => sum + (s['durationNs'] as number), 0));
    expect(end['durationNs']).toBeGreaterThanOrEqual(end['evacuationNs'] as number);
  });

  test('overflow events say whether the bucket came from the pool; clear reports the size it dropped', () => {
    const map = new PresizedMap<string, number>({ hint: 100, name: 'ovf', seed: 9 });
    const recorder = recordEvents((id) => id === map.id);
    try {
      for (let i = 0; i < 100; i++) map.set(`k${i}`, i);
      // Churn at a fixed size adds overflow buckets until the pool (1 bucket at B = 4) runs out.
      for (let i = 100; map.stats().overflowBuckets < 4; i++) {
        map.delete(`k${i - 100}`);
        map.set(`k${i}`, i);
      }
      map.clear();
    } finally {
      recorder.stop();
    }
    const overflows = recorder.of('overflow');
    expect(overflows.length).toBeGreaterThanOrEqual(4);
    expect(overflows[0]).toEqual({
      map,
      mapId: map.id,
      name: 'ovf',
      fromPool: true,
      overflowBuckets: 1,
      B: 4,
      growing: false,
    });
    expect(overflows[1]).toMatchObject({ fromPool: false, overflowBuckets: 2 });
    expect(recorder.of('clear')).toEqual([{ map, mapId: map.id, name: 'ovf', size: 100, B: 4 }]);
  });

  test('without subscribers nothing is published and no clock is read', () => {
    for (const channel of allChannels) expect(channel.hasSubscribers).toBe(false);
    const publishes = allChannels.map((channel) => jest.spyOn(channel, 'publish'));
    const clock = jest.spyOn(process.hrtime, 'bigint');
    const performanceClock = jest.spyOn(performance, 'now');
    try {
      const map = new PresizedMap<string, number>({ hint: 100, seed: 1 });
      for (let i = 0; i < 20000; i++) map.set(deviceKey(i), i);
      for (let i = 0; i < 20000; i += 2) map.delete(deviceKey(i));
      for (let i = 20000; i < 40000; i++) {
        map.delete(deviceKey(i - 10000));
        map.set(deviceKey(i), i);
      }
      map.clear();
      const stats = map.stats();
      expect(stats.growths).toBeGreaterThan(5);
      expect(stats.size).toBe(0);
      for (const publish of publishes) expect(publish).not.toHaveBeenCalled();
      expect(clock).not.toHaveBeenCalled();
      expect(performanceClock).not.toHaveBeenCalled();
    } finally {
      for (const publish of publishes) publish.mockRestore();
      clock.mockRestore();
      performanceClock.mockRestore();
    }
  });

  test('with one subscriber on one channel, only that channel is published', () => {
    const seen: unknown[] = [];
    const onGrowStart = (message: unknown): void => {
      seen.push(message);
    };
    diagnostics_channel.subscribe(MAP_CHANNELS.growStart, onGrowStart);
    // Spied after subscribing: a channel changes its publish method when it gains a subscriber.
    const publishes = allChannels.map((channel) => jest.spyOn(channel, 'publish'));
    try {
      const map = new PresizedMap<string, number>({ seed: 2 });
      for (let i = 0; i < 1000; i++) map.set(deviceKey(i), i);
      expect(seen.filter((e) => (e as { mapId: number }).mapId === map.id)).toHaveLength(8);
      publishes.forEach((publish, i) => {
        if (allChannels[i] === growStartChannel) expect(publish).toHaveBeenCalled();
        else expect(publish).not.toHaveBeenCalled();
      });
    } finally {
      diagnostics_channel.unsubscribe(MAP_CHANNELS.growStart, onGrowStart);
      for (const publish of publishes) publish.mockRestore();
    }
  });

  test('a subscriber may read stats() from inside an event', () => {
    const map = new PresizedMap<string, number>({ seed: 4 });
    const seen: { growing: boolean; B: number }[] = [];
    const onStart = (message: unknown): void => {
      const event = message as { map: PresizedMap<string, number> };
      if (event.map === map) seen.push(map.stats());
    };
    diagnostics_channel.subscribe(MAP_CHANNELS.growStart, onStart);
    try {
      for (let i = 0; i < 30; i++) map.set(`k${i}`, i);
    } finally {
      diagnostics_channel.unsubscribe(MAP_CHANNELS.growStart, onStart);
    }
    expect(seen.map((s) => s.B)).toEqual([1, 2, 3]);
    expect(seen.every((s) => s.growing)).toBe(true);
    checkInvariants(map);
  });
});

describe('same-size growth under delete churn (spec section 3)', () => {
  test('B = 10 with 6,000 live keys and new keys every round: same-size growths at noverflow 1024, no doubling', () => {
    const map = new PresizedMap<string, number>({ hint: 6000, seed: 10 });
    const recorder = recordEvents((id) => id === map.id);
    try {
      for (let i = 0; i < 6000; i++) map.set(deviceKey(i), i);
      for (let i = 6000; i < 406000; i++) {
        map.delete(deviceKey(i - 6000));
        map.set(deviceKey(i), i);
      }
    } finally {
      recorder.stop();
    }
    const starts = recorder.of('growStart');
    expect(starts.length).toBeGreaterThan(0);
    for (const start of starts) {
      expect(start).toMatchObject({
        kind: 'same_size',
        trigger: 'overflow',
        oldB: 10,
        newB: 10,
        overflowBuckets: 1024,
      });
    }
    expect(recorder.of('growEnd').length).toBeGreaterThanOrEqual(starts.length - 1);
    expect(map.stats()).toMatchObject({ B: 10, size: 6000, growths: 0, sameSizeGrowths: starts.length });
    // Fresh overflow buckets were needed beyond the 64-bucket pool.
    expect(recorder.of('overflow').some((e) => e['fromPool'] === false)).toBe(true);
    checkInvariants(map);
    for (let i = 400000; i < 406000; i += 13) expect(map.get(deviceKey(i))).toBe(i);
    expect(map.get(deviceKey(0))).toBeUndefined();
  });
});

describe('the probabilistic overflow counter from B = 16 (spec section 3)', () => {
  const fill = (random: () => number): PresizedMap<string, number> => {
    const map = new PresizedMap<string, number>({ hint: 212993, random });
    for (let i = 0; i < 250000; i++) map.set(deviceKey(i), i);
    return map;
  };

  test('each overflow bucket counts with probability 2^-(B-15), drawn from the injected source', () => {
    // random() = 0 always wins the coin; 2^-32 draws 1, which loses it at B = 16 (mask 1).
    const always = fill(() => 0).stats();
    expect(always.B).toBe(16);
    expect(always.overflowBuckets).toBeGreaterThan(50);
    expect(always.noverflow).toBe(always.overflowBuckets);
    const never = fill(() => 2 ** -32).stats();
    expect(never.overflowBuckets).toBeGreaterThan(50);
    expect(never.noverflow).toBe(0);
  });

  test('below B = 16 the counter is exact whatever the source draws', () => {
    const map = new PresizedMap<string, number>({ hint: 100000, random: () => 2 ** -32 });
    for (let i = 0; i < 100000; i++) map.set(deviceKey(i), i);
    const stats = map.stats();
    expect(stats.B).toBe(14);
    expect(stats.noverflow).toBe(stats.overflowBuckets);
  });
});
