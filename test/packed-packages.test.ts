// The packages as npm publishes them: each workspace packed with `npm pack`, the tarballs installed
// into fresh directories outside the repository (so nothing resolves through the workspace). The
// map alone installs with no dependency at all; the zero-code entry, installed with the tarballs
// it depends on, instruments an application that knows nothing of telemetry.
import { execFileSync, spawn } from 'node:child_process';
import { once } from 'node:events';
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { freePort } from '../tools/ports.js';

const ROOT = resolve(__dirname, '..');
const PACKAGES = ['map', 'instrumentation', 'gpu', 'auto-instrumentation'] as const;
const npm = process.platform === 'win32' ? 'npm.cmd' : 'npm';

let work: string;
const tarballs: Record<string, string> = {};

function npmInstall(dir: string, specs: string[]): void {
  writeFileSync(
    join(dir, 'package.json'),
    `${JSON.stringify({ name: 'consumer', version: '1.0.0', private: true })}\n`,
  );
  execFileSync(npm, ['install', '--prefer-offline', '--no-audit', '--no-fund', '--loglevel=error', ...specs], {
    cwd: dir,
    encoding: 'utf8',
    stdio: 'pipe',
  });
}

beforeAll(() => {
  work = mkdtempSync(join(tmpdir(), 'presize-packed-'));
  for (const name of PACKAGES) {
    const out = execFileSync(npm, ['pack', '--silent', '--pack-destination', work], {
      cwd: join(ROOT, name),
      encoding: 'utf8',
    });
    tarballs[name] = join(work, out.trim().split('\n').pop()!);
  }
}, 120_000);

afterAll(() => rmSync(work, { recursive: true, force: true }));

test('each tarball holds its built entries, README and package.json, and no sources or tests', () => {
  for (const name of PACKAGES) {
    const listed = execFileSync('tar', ['-tzf', tarballs[name]!], { encoding: 'utf8' }).split('\n').filter(Boolean);
    expect(listed).toEqual(
      expect.arrayContaining([
        'package/package.json',
        'package/README.md',
        'package/dist/cjs/index.js',
        'package/dist/esm/index.d.ts',
      ]),
    );
    expect(listed.filter((file) => /^package\/(src|test)\//.test(file))).toEqual([]);
  }
});

test('@presize/map installs with zero dependencies and works from require and import', () => {
  const dir = join(work, 'map-only');
  execFileSync('mkdir', ['-p', dir]);
  npmInstall(dir, [tarballs.map!]);
  expect(readdirSync(join(dir, 'node_modules')).filter((entry) => !entry.startsWith('.'))).toEqual(['@presize']);
  expect(readdirSync(join(dir, 'node_modules', '@presize'))).toEqual(['map']);
  const script = `const map = new PresizedMap({ hint: 100 }); map.set('a', 1); console.log(map.get('a') + map.stats().B);`;
  expect(
    execFileSync(process.execPath, ['-e', `const { PresizedMap } = require('@presize/map'); ${script}`], {
      cwd: dir,
      encoding: 'utf8',
    }).trim(),
  ).toBe('5');
  expect(
    execFileSync(
      process.execPath,
      ['--input-type=module', '-e', `import { PresizedMap } from '@presize/map'; ${script}`],
      { cwd: dir, encoding: 'utf8' },
    ).trim(),
  ).toBe('5');
}, 120_000);

test('the zero-code entry instruments an unaware application', async () => {
  const dir = join(work, 'zero-code');
  execFileSync('mkdir', ['-p', dir]);
  npmInstall(
    dir,
    PACKAGES.map((name) => tarballs[name]!),
  );
  writeFileSync(
    join(dir, 'app.mjs'),
    `import { PresizedMap } from '@presize/map';
const cache = new PresizedMap({ name: 'packed-cache' });
for (let i = 0; i < 20000; i++) cache.set('dev_' + i, i);
console.log('READY');
setInterval(() => cache.set('dev_' + Math.random(), 0), 100);
`,
  );
  const port = await freePort();
  const child = spawn(process.execPath, ['--import', '@presize/auto-instrumentation/register', 'app.mjs'], {
    cwd: dir,
    env: {
      PATH: process.env.PATH,
      OTEL_SERVICE_NAME: 'packed',
      OTEL_METRICS_EXPORTER: 'prometheus',
      OTEL_TRACES_EXPORTER: 'none',
      OTEL_EXPORTER_PROMETHEUS_HOST: '127.0.0.1',
      OTEL_EXPORTER_PROMETHEUS_PORT: String(port),
    },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let stderr = '';
  child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  try {
    await new Promise<void>((resolveReady, reject) => {
      child.stdout.on('data', (chunk: Buffer) => chunk.toString().includes('READY') && resolveReady());
      child.once('exit', (code) => reject(new Error(`the application exited with ${code}: ${stderr}`)));
    });
    let body = '';
    for (let attempt = 0; attempt < 50 && !body.includes('presize_map_growths_total'); attempt++) {
      body = await fetch(`http://127.0.0.1:${port}/metrics`).then(
        (r) => r.text(),
        () => '',
      );
      if (!body.includes('presize_map_growths_total')) await new Promise((r) => setTimeout(r, 200));
    }
    expect(body).toMatch(/presize_map_growths_total\{[^}]*presize_map_name="packed-cache"[^}]*\} [1-9]/);
    expect(body).toMatch(/presize_map_entries\{[^}]*presize_map_name="packed-cache"[^}]*\} 2\d{4}/);
  } finally {
    child.kill('SIGTERM');
    if (child.exitCode === null) await once(child, 'exit');
  }
}, 180_000);
