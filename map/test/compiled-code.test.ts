// V8 throws away a method's compiled code once no instance of the class it was compiled for is
// left (see src/shape-keeper.ts). The check runs in a Node.js process of its own, against the
// built package, with V8's test hooks to compile the methods and read their state.
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';

const SCRIPT = join(__dirname, 'scripts', 'compiled-code.cjs');
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
