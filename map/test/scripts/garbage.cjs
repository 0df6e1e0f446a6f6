// Counts the bytes each map operation leaves for the garbage collector: V8's sampling heap
// profiler, told to keep the objects that scavenges and mark-compacts have already freed, records
// every allocation of a workload's run with the stack that made it. Storage a map keeps (entry
// chunks, bucket arrays) is left out: what is left is garbage made per operation. Each workload
// runs three times first, so that what is measured is its optimised code; run with
// --no-concurrent-recompilation --no-concurrent-osr, so that V8 compiles on the main thread and
// the warm-up ends with the same code on a busy machine as on an idle one. Prints one JSON line:
// bytes per operation by workload.
const { Session } = require('node:inspector/promises');
const { BoundedList, PresizedMap, ShardedMap, appendBounded } = require('@presize/map');

const N = 200_000;
/** Functions whose allocations a map keeps as its storage. */
const STORAGE = new Set(['newChunk', 'newRows', 'growStorage', 'BucketArray', 'EntryStore']);

const keys = Array.from(
  { length: N },
  (_, i) => `dev_${(Math.imul(i, 0x9e3779b1) >>> 0).toString(16).padStart(8, '0')}`,
);
const ints = Array.from({ length: N }, (_, i) => Math.imul(i, 0x9e3779b1) >>> 1);
const full = new PresizedMap({ hint: N, seed: 1 });
const fullInts = new PresizedMap({ hint: N, seed: 1 });
const sharded = new ShardedMap({ hint: N, shards: 8, seed: 1 });
const logs = new PresizedMap({ hint: 1000, seed: 5 });
const lists = Array.from({ length: 1000 }, () => new BoundedList(10));
for (let i = 0; i < N; i++) {
  full.set(keys[i], i);
  lists[i % 1000].push(i);
  fullInts.set(ints[i], i);
  sharded.set(keys[i], i);
}

// Each returns the operations it performed; its function's name, distinct from every name in the
// package, is what the profile is searched for.
const workloads = {
  insertUnsized: function measureInsertUnsized() {
    const map = new PresizedMap({ seed: 2 });
    for (let i = 0; i < N; i++) map.set(keys[i], i);
    return N;
  },
  // After the string keys above, as in a service whose maps take both.
  insertUnsizedIntegers: function measureInsertUnsizedIntegers() {
    const map = new PresizedMap({ seed: 3 });
    for (let i = 0; i < N; i++) map.set(ints[i], i);
    return N;
  },
  overwrite: function measureOverwrite() {
    for (let i = 0; i < N; i++) full.set(keys[i], i + 1);
    return N;
  },
  get: function measureGet() {
    let found = 0;
    for (let i = 0; i < N; i++) if (full.get(keys[i]) !== undefined) found++;
    for (let i = 0; i < N; i++) if (fullInts.get(ints[i]) !== undefined) found++;
    return found;
  },
  has: function measureHas() {
    let found = 0;
    for (let i = 0; i < N; i++) if (full.has(keys[i])) found++;
    return found;
  },
  // A window of 1,000 live keys moving over all the keys: deletes, inserts, same-size growths.
  churn: function measureChurn() {
    const map = new PresizedMap({ seed: 4 });
    for (let i = 0; i < N; i++) {
      map.set(keys[i], i);
      if (i >= 1000) map.delete(keys[i - 1000]);
    }
    return 2 * N;
  },
  shardedGet: function measureShardedGet() {
    let found = 0;
    for (let i = 0; i < N; i++) if (sharded.get(keys[i]) !== undefined) found++;
    return found;
  },
  // Into lists that exist and are full: a new key's list is storage, a line past the bound is not.
  appendBounded: function measureAppendBounded() {
    for (let i = 0; i < N; i++) appendBounded(logs, keys[i % 1000], i, 10);
    return N;
  },
  iterateKeys: function measureIterateKeys() {
    let length = 0;
    for (const key of full.keys()) length += key.length;
    return length > 0 ? full.size : 0;
  },
  iterateSharded: function measureIterateSharded() {
    let length = 0;
    for (const key of sharded.keys()) length += key.length;
    return length > 0 ? sharded.size : 0;
  },
  // Operations here are whole iterations of a list of 10 values.
  iterateLists: function measureIterateLists() {
    let sum = 0;
    for (let round = 0; round < 20; round++) {
      for (const list of lists) for (const value of list) sum = (sum + value) | 0;
    }
    return sum !== 0.5 ? 20 * lists.length : 0;
  },
  iterateValues: function measureIterateValues() {
    let sum = 0;
    for (const value of full.values()) sum = (sum + value) | 0;
    return sum !== 0.5 ? full.size : 0;
  },
};

/** Sampled bytes allocated under `name` outside the storage functions. */
function garbageUnder(profile, name) {
  let bytes = 0;
  const walk = (node, inWorkload, inStorage) => {
    const fn = node.callFrame.functionName;
    const under = inWorkload || fn === name;
    const storage = inStorage || STORAGE.has(fn);
    if (under && !storage) bytes += node.selfSize;
    for (const child of node.children) walk(child, under, storage);
  };
  walk(profile.head, false, false);
  return bytes;
}

async function main() {
  const session = new Session();
  session.connect();
  const result = {};
  for (const [label, run] of Object.entries(workloads)) {
    for (let i = 0; i < 3; i++) run();
    await session.post('HeapProfiler.startSampling', {
      samplingInterval: 64,
      includeObjectsCollectedByMinorGC: true,
      includeObjectsCollectedByMajorGC: true,
    });
    const operations = run();
    const { profile } = await session.post('HeapProfiler.stopSampling');
    result[label] = garbageUnder(profile, run.name) / operations;
  }
  console.log(JSON.stringify(result));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
