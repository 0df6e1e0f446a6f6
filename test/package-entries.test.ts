// The built packages as a consumer meets them from the repository root: every entry through
// `import` and `require`, their type declarations under Node's own module resolution, and what each
// main entry loads: the map nothing at all, the instrumentation no OpenTelemetry SDK (only the
// zero-code entry brings one). Uses dist, as `npm test` builds it.
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');

function runNode(args: string[]): string {
  return execFileSync(process.execPath, args, { cwd: ROOT, encoding: 'utf8' });
}

/** What tsc reports for `files`, empty when they compile. */
function compileErrors(args: string[], files: string[]): string {
  try {
    execFileSync(process.execPath, [...args, ...files], { cwd: ROOT, encoding: 'utf8', stdio: 'pipe' });
    return '';
  } catch (error) {
    return String((error as { stdout?: string }).stdout);
  }
}

/** Package names (`@scope/name`) under node_modules among the modules a snippet has loaded. */
function loadedPackages(snippet: string): string[] {
  const loaded = runNode([
    '-e',
    `${snippet};
     const names = Object.keys(require.cache).map((file) => /node_modules\\/((?:@[^/]+\\/)?[^/]+)/.exec(file)?.[1]).filter(Boolean);
     console.log(JSON.stringify([...new Set(names)].sort()));`,
  ]);
  return JSON.parse(loaded) as string[];
}

const USE_MAP = `
  const map = new PresizedMap({ hint: 5000, name: 'entries' });
  map.set('dev_8a3f9c2e', 1);
  console.log(JSON.stringify({ B: map.stats().B, value: map.get('dev_8a3f9c2e'), hint: planCapacity({ peakQps: 100, retentionSeconds: 10, keysPerRequest: 1, headroom: 1.25 }).hint }));
`;

describe('the built packages', () => {
  it('@presize/map works through require and import alike, main entry and the planner subpath', () => {
    const required = runNode([
      '-e',
      `const { PresizedMap } = require('@presize/map'); const { planCapacity } = require('@presize/map/planner');${USE_MAP}`,
    ]);
    const imported = runNode([
      '--input-type=module',
      '-e',
      `import { PresizedMap } from '@presize/map'; import { planCapacity } from '@presize/map/planner';${USE_MAP}`,
    ]);
    expect(JSON.parse(required)).toEqual({ B: 10, value: 1, hint: 1250 });
    expect(JSON.parse(imported)).toEqual(JSON.parse(required));
  });

  it.each([
    ['@presize/instrumentation', ['PresizedMapInstrumentation', 'LruCacheInstrumentation', 'observeMap']],
    ['@presize/gpu', ['GpuMetrics', 'FileSource', 'DcgmExporterSource']],
    ['@presize/auto-instrumentation', ['startTelemetryFromEnv']],
  ])('%s has the same exports through require and import', (name, expected) => {
    const required = runNode(['-e', `console.log(JSON.stringify(Object.keys(require('${name}')).sort()))`]);
    const imported = runNode([
      '--input-type=module',
      '-e',
      `const m = await import('${name}'); console.log(JSON.stringify(Object.keys(m).filter((k) => k !== 'default' && k !== 'module.exports').sort()))`,
    ]);
    expect(JSON.parse(imported)).toEqual(JSON.parse(required));
    expect(JSON.parse(required)).toEqual(expect.arrayContaining(expected));
  });

  it('the map loads no package at all; the instrumentation no OpenTelemetry SDK', () => {
    const mapFiles = runNode([
      '-e',
      `require('@presize/map'); console.log(JSON.stringify(Object.keys(require.cache)))`,
    ]);
    const mapDir = join(ROOT, 'map', 'dist', 'cjs');
    expect((JSON.parse(mapFiles) as string[]).filter((file) => !file.startsWith(mapDir))).toEqual([]);
    const instrumentation = loadedPackages(`require('@presize/instrumentation')`);
    expect(instrumentation).toContain('@opentelemetry/api');
    expect(instrumentation).toContain('@opentelemetry/instrumentation');
    expect(instrumentation.filter((name) => /sdk|resources|core|exporter/.test(name))).toEqual([]);
    const gpu = loadedPackages(`require('@presize/gpu')`);
    expect(gpu.filter((name) => /sdk|resources|core|exporter/.test(name))).toEqual([]);
  });

  it('exports no raw diagnostics channel, and no hash or parser internals, from a package root', () => {
    const exported = runNode([
      '-e',
      `const dc = require('node:diagnostics_channel');
       const out = {};
       for (const name of ['@presize/map', '@presize/instrumentation', '@presize/gpu']) {
         const m = require(name);
         out[name] = Object.keys(m).filter((k) => m[k] instanceof dc.Channel || /^hash|Channel$|^parse|^read(Smi|Dcgm)|^SMI_/.test(k));
       }
       console.log(JSON.stringify(out));`,
    ]);
    expect(JSON.parse(exported)).toEqual({ '@presize/map': [], '@presize/instrumentation': [], '@presize/gpu': [] });
  });

  it('type-checks a consumer of each entry under node16 resolution, as ESM and as CommonJS', () => {
    mkdirSync(join(ROOT, 'test-output'), { recursive: true });
    const dir = mkdtempSync(join(ROOT, 'test-output', 'consumer-'));
    try {
      const body = `
        const map: Map<string, number> = new PresizedMap<string, number>({ hint: 10 });
        const plan: CapacityPlan = planCapacity({ peakQps: 1, retentionSeconds: 1, keysPerRequest: 1, headroom: 1 });
        const stop: () => void = subscribeMapEvents({ growStart: (event) => void event.newB });
        const instrumentation = new PresizedMapInstrumentation({ enabled: false });
        const gpu: typeof GpuMetrics = GpuMetrics;
        export const used = [map.size, plan.hint, stop, instrumentation, gpu];
      `;
      writeFileSync(
        join(dir, 'consumer.mts'),
        `import { PresizedMap, subscribeMapEvents } from '@presize/map';
import { planCapacity, type CapacityPlan } from '@presize/map/planner';
import { PresizedMapInstrumentation } from '@presize/instrumentation';
import { GpuMetrics } from '@presize/gpu';
import '@presize/auto-instrumentation/register';
${body}`,
      );
      writeFileSync(
        join(dir, 'consumer.cts'),
        `import mapPackage = require('@presize/map');
import planner = require('@presize/map/planner');
import otel = require('@presize/instrumentation');
import gpuPackage = require('@presize/gpu');
const { PresizedMap, subscribeMapEvents } = mapPackage;
const { planCapacity } = planner;
const { PresizedMapInstrumentation } = otel;
const { GpuMetrics } = gpuPackage;
type CapacityPlan = planner.CapacityPlan;
${body}`,
      );
      const tsc = require.resolve('typescript/bin/tsc');
      const args = [
        tsc,
        '--noEmit',
        '--strict',
        '--module',
        'node16',
        '--moduleResolution',
        'node16',
        '--target',
        'es2022',
        '--types',
        'node',
      ];
      expect(compileErrors(args, [join(dir, 'consumer.mts'), join(dir, 'consumer.cts')])).toBe('');
      // The check can fail: a wrong type is refused.
      writeFileSync(
        join(dir, 'wrong.mts'),
        `import { PresizedMap } from '@presize/map';\nexport const m: Map<string, number> = new PresizedMap<string, string>();\n`,
      );
      expect(compileErrors(args, [join(dir, 'wrong.mts')])).toMatch(/wrong\.mts\(2,14\): error TS2322/);
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  }, 60_000);
});
