// Operations that store nothing new must leave nothing for the garbage collector: every object
// they allocate makes the next scavenge come sooner. Counted by V8's sampling heap profiler in a
// Node.js process of its own, against the built package (scripts/garbage.cjs).
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const SCRIPT = join(__dirname, 'scripts', 'garbage.cjs');

test('map operations leave no garbage per operation', () => {
  const run = spawnSync(process.execPath, ['--no-concurrent-recompilation', '--no-concurrent-osr', SCRIPT], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (run.status !== 0) throw new Error(`${SCRIPT} failed (${run.status ?? run.signal}): ${run.stderr}`);
  const bytes = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Record<string, number>;
  // Lookups, overwrites and appends to full lists allocate nothing at all (a sample of a few
  // bytes in 200,000 operations is the profiler's own noise).
  const none = ['overwrite', 'get', 'has', 'shardedGet', 'appendBounded'];
  expect(none.filter((name) => !(bytes[name]! < 0.05))).toEqual([]);
  // Inserts and deletes move entries between bucket arrays, whose storage is left out; each
  // evacuating write once made a BigInt: 2.8 bytes an insert over these 200,000.
  expect(bytes.insertUnsized).toBeLessThan(0.5);
  // On Node 20, integer keys after string keys once allocated in the hash: 5.3 bytes an insert.
  expect(bytes.insertUnsizedIntegers).toBeLessThan(0.5);
  expect(bytes.churn).toBeLessThan(0.5);
  // An iterator's result object lives in registers once the loop is optimised: 40 bytes a key
  // when it did not.
  expect(bytes.iterateKeys).toBeLessThan(1);
  expect(bytes.iterateValues).toBeLessThan(1);
  expect(bytes.iterateSharded).toBeLessThan(1);
  // A BoundedList's iteration allocates its iterator (64 bytes) and no result: about 580 bytes for
  // a list of 10 when it was a generator.
  expect(bytes.iterateLists).toBeLessThan(100);
}, 120_000);
