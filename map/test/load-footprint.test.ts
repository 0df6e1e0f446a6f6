// What loading the package leaves in the heap, which the collector marks at every full collection
// for the life of the process: a service that only loads it (the native-map observer imports it)
// pays for that in every mark-compact. Node's own modules that the package needs only later (the
// Web Crypto module for an unseeded map's hash key, `node:v8` and the stream modules it brings for
// a large table's heap check) must load when first needed, not with the package.
import { spawnSync } from 'node:child_process';

const LATE_MODULES = ['NativeModule internal/crypto/webcrypto', 'NativeModule v8', 'NativeModule stream'];

/** The Node modules loaded after each `step(name)` of `steps` (run in a process of their own), since the start. */
function nodeModulesLoaded(steps: string): Record<string, string[]> {
  const script = `
    const start = new Set(process.moduleLoadList);
    const report = {};
    const step = (name) => {
      report[name] = process.moduleLoadList.filter((module) => !start.has(module));
    };
    (async () => {
      ${steps}
      console.log(JSON.stringify(report));
    })();
  `;
  const run = spawnSync(process.execPath, ['-e', script], { encoding: 'utf8', cwd: __dirname, timeout: 60_000 });
  if (run.status !== 0) throw new Error(`the script failed (${run.status ?? run.signal}): ${run.stderr}`);
  return JSON.parse(run.stdout.trim().split('\n').at(-1)!) as Record<string, string[]>;
}

test("loading the package loads none of Node's modules it needs only for an unseeded map or a large table", () => {
  const report = nodeModulesLoaded(`
    const { PresizedMap } = require('@presize/map');
    step('loaded');
    new PresizedMap().set('a', 1);
    step('unseeded map');
    new PresizedMap({ hint: 300000, seed: 1 });
    step('large table');
  `);
  expect(LATE_MODULES.filter((module) => report.loaded!.includes(module))).toEqual([]);
  // Each comes when first needed: the check above looks for modules that do load.
  expect(report['unseeded map']).toContain('NativeModule internal/crypto/webcrypto');
  expect(report['large table']).toEqual(expect.arrayContaining(['NativeModule v8', 'NativeModule stream']));
});

test('so does loading it as an ES module', () => {
  const report = nodeModulesLoaded(`
    const { PresizedMap } = await import('@presize/map');
    step('loaded');
    new PresizedMap().set('a', 1);
    step('unseeded map');
  `);
  expect(LATE_MODULES.filter((module) => report.loaded!.includes(module))).toEqual([]);
  expect(report['unseeded map']).toContain('NativeModule internal/crypto/webcrypto');
});
