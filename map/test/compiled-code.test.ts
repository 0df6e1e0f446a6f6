// V8 throws away a method's compiled code once no instance of the class it was compiled for is
// left (see src/shape-keeper.ts). The check runs in a Node.js process of its own, against the
// built package, with V8's test hooks to compile the methods and read their state.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const SCRIPT = join(__dirname, 'scripts', 'compiled-code.cjs');
const GROWTH_SCRIPT = join(__dirname, 'scripts', 'growth-paths.cjs');
const CONTROL = 'control: Tally#add';

test("the package's methods keep their compiled code when every instance the application made is collected", () => {
  const run = spawnSync(process.execPath, ['--expose-gc', '--allow-natives-syntax', SCRIPT], {
    encoding: 'utf8',
    timeout: 120_000,
  });
  if (run.status !== 0) throw new Error(`${SCRIPT} failed (${run.status ?? run.signal}): ${run.stderr}`);
  const { before, after } = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as {
    before: Record<string, boolean>;
    after: Record<string, boolean>;
  };
  // Every method was compiled, and the script's own class lost its code: the check can fail.
  expect(Object.keys(before).filter((name) => !before[name])).toEqual([]);
  expect(after[CONTROL]).toBe(false);
  const lost = Object.keys(after).filter((name) => name !== CONTROL && !after[name]);
  expect(lost).toEqual([]);
  expect(Object.keys(after).length).toBeGreaterThan(8);
}, 120_000);

test('the kept instances publish nothing and take no id: the first map an application builds is map 1', () => {
  // Subscribed before the package loads, so that an event published while it builds its kept
  // instances would be heard.
  const script = `
    const diagnostics_channel = require('node:diagnostics_channel');
    const heard = [];
    for (const name of ['create', 'grow-start', 'evacuate', 'grow-end', 'overflow', 'clear']) {
      diagnostics_channel.subscribe('presize:map:' + name, (event) => heard.push([name, event.map.name]));
    }
    const { PresizedMap, ShardedMap } = require('@presize/map');
    const before = heard.length;
    const map = new PresizedMap();
    const sharded = new ShardedMap({ shards: 2 });
    console.log(JSON.stringify({ before, id: map.id, name: map.name, sharded: sharded.name, heard }));
  `;
  const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', cwd: __dirname, timeout: 60_000 });
  if (run.status !== 0) throw new Error(`the script failed (${run.status ?? run.signal}): ${run.stderr}`);
  const result = JSON.parse(run.stdout.trim().split('\n').at(-1)!) as {
    before: number;
    id: number;
    name: string;
    sharded: string;
    heard: [string, string][];
  };
  expect(result.before).toBe(0);
  expect(result.id).toBe(1);
  expect(result.name).toBe('presized-map-1');
  expect(result.sharded).toBe('sharded-map-1');
  expect(result.heard).toEqual([
    ['create', 'presized-map-1'],
    ['create', 'sharded-map-1'],
    ['create', 'sharded-map-1'],
  ]);
}, 60_000);

test("a hinted map's growths run in optimised code: none of their paths is met first after V8 optimised it", () => {
  // Compiled on the main thread, so that the map's methods are optimised at the same inserts in
  // every run, whatever else the machine does; V8 reports each deoptimisation and where it was.
  const run = spawnSync(process.execPath, ['--trace-deopt-verbose', '--no-concurrent-recompilation', GROWTH_SCRIPT], {
    encoding: 'utf8',
    timeout: 120_000,
    maxBuffer: 1 << 28,
  });
  if (run.status !== 0) throw new Error(`${GROWTH_SCRIPT} failed (${run.status ?? run.signal}): ${run.stderr}`);
  const lines = run.stdout.split('\n');
  const result = JSON.parse(lines.find((line) => line.startsWith('{"size"'))!) as { size: number; growths: number };
  // Four doublings, the fourth the first to rehash keys: the paths the check is about did run.
  expect(result).toEqual({ size: 60_000, growths: 4 });
  // A deoptimisation for want of type feedback, in the package's code: a path optimised code had
  // never seen run. Before the package ran a growth of its own at load, the fourth doubling, the
  // first chunk created ahead and the first overflow buckets each cost one (9 to 13 in this run);
  // before it deleted that map's keys too, the deletes 3 to 5 more.
  const unfed = lines.flatMap((line, i) => {
    const reason = /reason: (Insufficient type feedback[^)]*)\)/.exec(line);
    if (reason === null) return [];
    const at = lines.slice(i + 1, i + 4).find((next) => next.includes(';;; deoptimize at')) ?? '';
    return /[/\\]map[/\\]dist[/\\]/.test(at) ? [`${reason[1]}: ${at.trim()}`] : [];
  });
  expect(unfed).toEqual([]);
}, 120_000);
