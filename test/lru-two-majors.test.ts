// lru-cache 7.18 to 11.2 are observed by patching their class through OpenTelemetry's module
// hooks, which match the module name: each release from npm (installed under an alias) is copied
// into a temporary service's node_modules as lru-cache. The service imports one release as an ES
// module, requires another through a dependency as CommonJS, and requires an 11.5 (which
// publishes on its own channels) through a third; every major is imported once and required
// once over the runs. Each cache must report exactly the operations the service did, the patched
// ones as the channel one does, through the programmatic instrumentation and through the
// zero-code entry. Uses the built packages (dist): run after `npm run build`.
import { spawn } from 'node:child_process';
import { cpSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../tools/ports';
import {
  EXPECTED_ENTRIES,
  EXPECTED_EVICTIONS,
  EXPECTED_OPERATIONS,
} from '../instrumentation/test/lru/cache-workload.cjs';
import { CHANNEL_ALIAS, PATCHED_ALIASES } from '../instrumentation/test/lru/legacy-releases';
import { scrapeUntil, select, type Sample } from './support/scrape.js';

const ROOT = resolve(__dirname, '..');
const FIXTURE = join(__dirname, 'fixtures', 'lru-two-majors');
/** [imported as ESM, required as CommonJS]: each major once on each side. */
const PAIRS = PATCHED_ALIASES.map((esm, i) => [esm, PATCHED_ALIASES[PATCHED_ALIASES.length - 1 - i]!] as const);

/** A service directory: app.mjs, its own lru-cache, and two dependencies with theirs. */
function service(esm: string, cjs: string): string {
  const dir = mkdtempSync(join(tmpdir(), 'presize-lru-majors-'));
  const install = (alias: string, at: string) =>
    cpSync(join(ROOT, 'node_modules', alias), join(dir, at, 'node_modules', 'lru-cache'), { recursive: true });
  const dependency = (name: string, alias: string) => {
    const home = join(dir, 'node_modules', name);
    mkdirSync(home, { recursive: true });
    writeFileSync(join(home, 'package.json'), JSON.stringify({ name, version: '1.0.0', main: 'index.js' }));
    // lru-cache 7 exports the class itself, 8 the class with LRUCache on it, 9 and later { LRUCache }.
    writeFileSync(
      join(home, 'index.js'),
      "const m = require('lru-cache');\nmodule.exports = { LRUCache: m.LRUCache ?? m };\n",
    );
    install(alias, join('node_modules', name));
  };
  install(esm, '.');
  dependency('legacy-dep', cjs);
  dependency('channel-dep', CHANNEL_ALIAS);
  cpSync(join(FIXTURE, 'app.mjs'), join(dir, 'app.mjs'));
  return dir;
}

function only(samples: Sample[], name: string, labels: Record<string, string>): number {
  const found = select(samples, name, labels);
  if (found.length !== 1) throw new Error(`${found.length} samples of ${name} ${JSON.stringify(labels)}`);
  return found[0]!.value;
}

/** Every cache reports exactly the service's operations, and its key index's rebuilds. */
function expectEveryCacheObserved(samples: Sample[]): void {
  for (const loaded of ['esm', 'cjs', 'channel']) {
    const name = `ops-${loaded}`;
    const operations = select(samples, 'presize_lru_operations_total', { presize_lru_name: name });
    const counts = Object.fromEntries(
      operations.map((s) => [`${s.labels.presize_lru_operation} ${s.labels.presize_lru_result}`, s.value]),
    );
    expect([loaded, counts]).toEqual([loaded, EXPECTED_OPERATIONS]);
    const cache = { presize_lru_name: name };
    expect([loaded, only(samples, 'presize_lru_evictions_total', cache)]).toEqual([loaded, EXPECTED_EVICTIONS]);
    expect([loaded, only(samples, 'presize_lru_entries', cache)]).toEqual([loaded, EXPECTED_ENTRIES]);
    expect([loaded, only(samples, 'presize_lru_max', cache)]).toEqual([loaded, 3]);
    const rebuilds = select(samples, 'presize_map_growths_total', { presize_map_name: `big-${loaded}.key_index` });
    expect([
      loaded,
      rebuilds.map((s) => s.labels.presize_map_growth_kind),
      rebuilds.reduce((n, s) => n + s.value, 0),
    ]).toEqual([loaded, ['v8_rehash'], 6]);
  }
  // Nothing else: no cache counted twice, none unattributed.
  const names = new Set(select(samples, 'presize_lru_operations_total').map((s) => s.labels.presize_lru_name));
  expect([...names].sort()).toEqual(['big-channel', 'big-cjs', 'big-esm', 'ops-channel', 'ops-cjs', 'ops-esm']);
}

function run(
  args: string[],
  env: Record<string, string>,
): { lines: Promise<Record<string, unknown>>; stderr(): string; stop(): void } {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_') && !k.startsWith('PRESIZE_')),
  );
  const child = spawn(process.execPath, args, {
    cwd: ROOT,
    env: { ...base, PRESIZE_ROOT: ROOT, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stdout = '';
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const lines = new Promise<Record<string, unknown>>((resolveLine, fail) => {
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const line = stdout.split('\n').find((l) => l.startsWith('{'));
      if (line !== undefined && stdout.includes('}\n')) resolveLine(JSON.parse(line) as Record<string, unknown>);
    });
    child.once('exit', (code) => fail(new Error(`service exited with ${code}:\n${stderr}`)));
  });
  return { lines, stderr: () => stderr, stop: () => child.kill('SIGTERM') };
}

describe.each(PAIRS)('a service importing %s and requiring %s (and 11.5)', (esm, cjs) => {
  let dir: string;
  beforeAll(() => {
    dir = service(esm, cjs);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is observed by the programmatic instrumentation with its own SDK', async () => {
    const service = run(['--import', join(FIXTURE, 'programmatic.mjs'), join(dir, 'app.mjs')], {});
    try {
      const { samples } = (await service.lines) as { samples: Sample[] };
      expectEveryCacheObserved(samples);
    } finally {
      service.stop();
    }
  }, 60_000);

  // --require registers the ESM loader too, without a second SDK in the loader's thread (whose
  // Prometheus endpoint would take the port, or fail on it and say so on stderr).
  it.each(['--import', '--require'])(
    'is observed through the zero-code entry (%s) and its Prometheus endpoint',
    async (preload) => {
      const port = await freePort();
      const service = run([preload, '@presize/auto-instrumentation/register', join(dir, 'app.mjs')], {
        OTEL_SERVICE_NAME: 'lru-two-majors',
        OTEL_METRICS_EXPORTER: 'prometheus',
        OTEL_TRACES_EXPORTER: 'none',
        OTEL_LOGS_EXPORTER: 'none',
        OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
        OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
      });
      try {
        await service.lines;
        expectEveryCacheObserved(await scrapeUntil(port, (all) => all.length > 0));
        expect(service.stderr()).toBe('');
      } finally {
        service.stop();
      }
    },
    60_000,
  );
});
