// The built package as a consumer meets it from the repository root: every entry through `import`
// and `require`, its type declarations under Node's own module resolution, and no OpenTelemetry
// SDK loaded by the main entry (only `register` needs the SDK). Uses dist, as `npm test` builds it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');

function runNode(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
}

const USE_ENTRIES = `
  const map = new PresizedMap({ hint: 5000, name: 'entries' });
  map.set('dev_8a3f9c2e', 1);
  console.log(JSON.stringify({ B: map.stats().B, value: map.get('dev_8a3f9c2e'), hint: planCapacity({ peakQps: 100, retentionSeconds: 10, keysPerRequest: 1, headroom: 1.25 }).hint }));
`;

describe('the built @presize/instrumentation package', () => {
  it('works through require and import alike, main entry and the planner subpath', () => {
    const required = runNode([
      '-e',
      `const { PresizedMap } = require('@presize/instrumentation'); const { planCapacity } = require('@presize/instrumentation/planner');${USE_ENTRIES}`,
    ]);
    const imported = runNode([
      '--input-type=module',
      '-e',
      `import { PresizedMap } from '@presize/instrumentation'; import { planCapacity } from '@presize/instrumentation/planner';${USE_ENTRIES}`,
    ]);
    expect(JSON.parse(required)).toEqual({ B: 10, value: 1, hint: 1250 });
    expect(JSON.parse(imported)).toEqual(JSON.parse(required));
  });

  it('loads no OpenTelemetry SDK package from its main entry', () => {
    const loaded = runNode([
      '-e',
      `require('@presize/instrumentation');
       const names = Object.keys(require.cache).map((file) => /node_modules\\/(@opentelemetry\\/[^/]+)/.exec(file)?.[1]).filter(Boolean);
       console.log(JSON.stringify([...new Set(names)].sort()));`,
    ]);
    const packages = JSON.parse(loaded) as string[];
    expect(packages).toContain('@opentelemetry/api');
    expect(packages.filter((name) => /sdk|resources|core|exporter/.test(name))).toEqual([]);
  });

  it('type-checks a consumer of each entry under node16 resolution, as ESM and as CommonJS', () => {
    mkdirSync(join(ROOT, 'test-output'), { recursive: true });
    const dir = mkdtempSync(join(ROOT, 'test-output', 'consumer-'));
    try {
      const body = `
        const map: Map<string, number> = new PresizedMap<string, number>({ hint: 10 });
        const plan: CapacityPlan = planCapacity({ peakQps: 1, retentionSeconds: 1, keysPerRequest: 1, headroom: 1 });
        export const used = [map.size, plan.hint];
      `;
      writeFileSync(
        join(dir, 'consumer.mts'),
        `import { PresizedMap } from '@presize/instrumentation';\nimport { planCapacity, type CapacityPlan } from '@presize/instrumentation/planner';\nimport '@presize/instrumentation/register';\n${body}`,
      );
      writeFileSync(
        join(dir, 'consumer.cts'),
        `import instrumentation = require('@presize/instrumentation');
import planner = require('@presize/instrumentation/planner');
const { PresizedMap } = instrumentation;
const { planCapacity } = planner;
type CapacityPlan = planner.CapacityPlan;
${body}`,
      );
      const tsc = require.resolve('typescript/bin/tsc');
      const args = [tsc, '--noEmit', '--strict', '--module', 'node16', '--moduleResolution', 'node16', '--target', 'es2022', '--types', 'node'];
      expect(() => execFileSync(process.execPath, [...args, join(dir, 'consumer.mts'), join(dir, 'consumer.cts')], { cwd: ROOT, encoding: 'utf8' })).not.toThrow();
      // The check can fail: a wrong type is refused.
      writeFileSync(join(dir, 'wrong.mts'), `import { PresizedMap } from '@presize/instrumentation';\nexport const m: Map<string, number> = new PresizedMap<string, string>();\n`);
      const refused = (() => {
        try {
          execFileSync(process.execPath, [...args, join(dir, 'wrong.mts')], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' });
          return '';
        } catch (error) {
          return String((error as { stdout?: string }).stdout);
        }
      })();
      expect(refused).toMatch(/wrong\.mts\(2,14\): error TS2322/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
