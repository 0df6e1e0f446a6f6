// The device-log cache of the incident, in four variants behind one small interface:
//   append(deviceId, line)   keeps the device's last LOGS_PER_DEVICE lines
//   logs(deviceId)           those lines oldest first, or undefined for an unknown device
//   size                     devices held
//   stats()                  the map's own statistics (null for the native Map, which has none)
import { DEFAULT_SHARDS, PresizedMap, ShardedMap, appendBounded, planCapacity } from '@presize/map';

export { DEFAULT_SHARDS };

export const LOGS_PER_DEVICE = 10;
export const MAP_NAME = 'device-logs';
/** The fleet size the cache was designed for in the incident. */
export const INCIDENT_HINT = 5_000;
export const CACHE_KINDS = ['native', 'presized-5000', 'planned', 'sharded'];

/**
 * The incident's Go code, `logs = append(cache[id], line); if len(logs) > 10 { logs = logs[1:] }`,
 * translated to arrays: every write past the tenth allocates a fresh array, and the Map rehashes
 * all at once each time it doubles.
 */
function nativeCache() {
  const map = new Map();
  return {
    kind: 'native',
    append(deviceId, line) {
      let logs = map.get(deviceId);
      if (logs === undefined) {
        map.set(deviceId, [line]);
        return;
      }
      logs.push(line);
      if (logs.length > LOGS_PER_DEVICE) {
        logs = logs.slice(1);
        map.set(deviceId, logs);
      }
    },
    logs: (deviceId) => map.get(deviceId)?.slice(),
    get size() {
      return map.size;
    },
    stats: () => null,
    describe: () => 'native Map, arrays re-sliced on every write',
  };
}

function boundedListCache(kind, map, description) {
  return {
    kind,
    append(deviceId, line) {
      appendBounded(map, deviceId, line, LOGS_PER_DEVICE);
    },
    logs: (deviceId) => map.get(deviceId)?.toArray(),
    get size() {
      return map.size;
    },
    stats: () => map.stats(),
    describe: () => description,
  };
}

/**
 * Creates the cache named by `kind`. `options.plan` overrides parts of DEFAULT_PLAN for `planned`
 * (keyPopulation: the devices that exist); `options.shards` is the shard count of `sharded`.
 */
export function createCache(kind, options = {}) {
  switch (kind) {
    case 'native':
      return nativeCache();
    case 'presized-5000':
      return boundedListCache(
        kind,
        new PresizedMap({ hint: INCIDENT_HINT, name: MAP_NAME }),
        `PresizedMap sized for ${INCIDENT_HINT.toLocaleString('en-US')} devices, bounded lists`,
      );
    case 'planned': {
      // The cache never evicts: every device that exists ends up in it, so keyPopulation caps the plan.
      const plan = planCapacity({ ...DEFAULT_PLAN, ...options.plan });
      return boundedListCache(
        kind,
        new PresizedMap({ hint: plan.hint, name: MAP_NAME }),
        `PresizedMap sized by the capacity planner (hint ${plan.hint.toLocaleString('en-US')}), bounded lists`,
      );
    }
    case 'sharded': {
      const shards = options.shards ?? DEFAULT_SHARDS;
      return boundedListCache(
        kind,
        new ShardedMap({ shards, hint: INCIDENT_HINT, name: MAP_NAME }),
        `ShardedMap of ${shards} PresizedMaps sharing the ${INCIDENT_HINT.toLocaleString('en-US')} hint, bounded lists`,
      );
    }
    default:
      throw new RangeError(`unknown cache "${kind}"; expected one of: ${CACHE_KINDS.join(', ')}`);
  }
}

/**
 * The article's fleet: 5,000 requests a second at peak, one in five from a device not seen before,
 * entries kept for the day, 120,000 devices in all; the planner's default headroom of 25 %.
 */
export const DEFAULT_PLAN = {
  peakQps: 5_000,
  retentionSeconds: 86_400,
  keysPerRequest: 0.2,
  keyPopulation: 120_000,
};
