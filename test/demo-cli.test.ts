// `npm run demo` as a user runs it (its last step, after install and build): options, the table,
// and nothing left running afterwards, whether it ends by itself, by Ctrl-C or by a failure.
import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { chmodSync, existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, resolve } from 'node:path';
import { parse } from 'yaml';
import { PROVISIONED_CONFIG } from '../scripts/demo/prometheus-config.js';

const ROOT = resolve(__dirname, '..');
const DEMO = ['--import', 'tsx', 'scripts/demo.ts'];

interface Finished {
  code: number | null;
  stdout: string;
  stderr: string;
}

interface Launched {
  child: ChildProcess;
  finished: Promise<Finished>;
  /** Resolves with the match once stdout matches `pattern`; rejects if the demo ends first. */
  until(pattern: RegExp): Promise<RegExpMatchArray>;
}

function launch(args: string[], env: NodeJS.ProcessEnv = process.env): Launched {
  const child = spawn(process.execPath, [...DEMO, ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  const waiters: Array<{ pattern: RegExp; found: (match: RegExpMatchArray) => void }> = [];
  const check = (): void => {
    for (const waiter of [...waiters]) {
      const match = stdout.match(waiter.pattern);
      if (match) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.found(match);
      }
    }
  };
  child.stdout?.on('data', (chunk: Buffer) => {
    stdout += chunk.toString();
    check();
  });
  child.stderr?.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const finished = new Promise<Finished>((done, fail) => {
    child.once('error', fail);
    child.once('exit', (code) => done({ code, stdout, stderr }));
  });
  return {
    child,
    finished,
    until: (pattern) =>
      Promise.race([
        new Promise<RegExpMatchArray>((found) => {
          waiters.push({ pattern, found });
          check();
        }),
        finished.then((run) => {
          throw new Error(
            `the demo ended (code ${run.code}) before printing ${pattern}:\n${run.stdout}\n${run.stderr}`,
          );
        }),
      ]),
  };
}

const demo = (args: string[]): Promise<Finished> => launch(args).finished;

/** A TMPDIR of the demo's own: whatever it leaves behind there is the demo's. */
function privateTmp(): {
  env: NodeJS.ProcessEnv;
  prometheusDirsLeft(): string[];
  victoriaMetricsDirsLeft(): string[];
  remove(): void;
} {
  const dir = mkdtempSync(join(tmpdir(), 'presize-demo-tmp-'));
  return {
    env: { ...process.env, TMPDIR: dir },
    prometheusDirsLeft: () => readdirSync(dir).filter((name) => name.startsWith('presize-prometheus-')),
    victoriaMetricsDirsLeft: () => readdirSync(dir).filter((name) => name.startsWith('presize-victoria-metrics-')),
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/** Every http://127.0.0.1:port the demo printed; none may answer once it is gone. */
function urlsIn(output: string): string[] {
  return [...new Set(output.match(/http:\/\/127\.0\.0\.1:\d+/g) ?? [])];
}

async function answers(url: string): Promise<boolean> {
  try {
    await fetch(url, { signal: AbortSignal.timeout(2_000) });
    return true;
  } catch {
    return false;
  }
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

describe('npm run demo', () => {
  it.each([
    [['--duration', '0'], '--duration must be a number of seconds from 5 to 3600, got "0"'],
    [['--devices', '12.5'], '--devices must be a whole number from 1 to 10000000, got "12.5"'],
    [['--caches', 'native,lru'], '--caches takes names from native, presized-5000, planned, sharded; unknown: lru'],
    [['--tsdb', 'influxdb'], '--tsdb takes prometheus or victoria-metrics, got "influxdb"'],
    [['--bogus'], "Unknown option '--bogus'"],
  ])('refuses %j with a message naming the value, before starting anything', (args, message) => {
    const run = spawnSync(process.execPath, [...DEMO, ...args], { cwd: ROOT, encoding: 'utf8' });
    expect(run.status).toBe(2);
    expect(run.stderr).toContain(message);
    expect(run.stderr).toContain('usage: npm run demo');
  });

  it('says how to get Prometheus when it is not installed, and starts nothing', () => {
    // A PATH without prometheus (nor apt-get): the demo must neither hang nor half-start.
    const emptyPath = mkdtempSync(join(tmpdir(), 'presize-no-prometheus-'));
    try {
      const run = spawnSync(process.execPath, [...DEMO, '--duration', '5'], {
        cwd: ROOT,
        encoding: 'utf8',
        env: { ...process.env, PATH: emptyPath },
      });
      expect(run.status).toBe(1);
      if (process.getuid?.() === 0) {
        expect(run.stdout).toContain("Prometheus is missing; installing Debian's prometheus package");
        expect(run.stderr).toContain('demo failed: apt-get update -qq failed (spawnSync apt-get ENOENT)');
      } else {
        expect(run.stderr).toContain('sudo apt-get update && sudo apt-get install -y prometheus');
      }
      expect(run.stdout).not.toContain('Starting Prometheus');
    } finally {
      rmSync(emptyPath, { recursive: true, force: true });
    }
  });

  it('prints its usage with --help', () => {
    const run = spawnSync(process.execPath, [...DEMO, '--help'], { cwd: ROOT, encoding: 'utf8' });
    expect(run.status).toBe(0);
    expect(run.stdout).toContain('--keep-running');
  });

  it('runs the incident, prints the table with figures from this run, and stops everything', async () => {
    const run = await demo(['--duration', '5', '--devices', '20000', '--caches', 'native,presized-5000']);
    expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
    const rows = run.stdout.split('\n').filter((line) => /^\| (native|presized-5000) /.test(line));
    expect(rows).toHaveLength(2);
    const cells = rows.map((row) =>
      row
        .split('|')
        .slice(1, -1)
        .map((cell) => cell.trim()),
    );
    for (const row of cells) {
      expect(row[1]).toMatch(/^[\d,]+\/s$/);
      expect(Number((row[1] as string).replace(/[,/s]/g, ''))).toBeGreaterThan(0);
      for (const latency of [...row.slice(2, 6), row[7]]) expect(latency).toMatch(/^\d+(\.\d+)? ms$/);
      expect(row[6]).toMatch(/^(≤ [\d.]+ (µs|ms)|> 100 ms)$/);
      expect(row[8]).toMatch(/^\d+\.\d %$/);
    }
    // 20,000 devices in a map sized for 5,000 cross 6,657 and 13,313 entries: two doublings, seen in Prometheus.
    expect(cells[1]?.[11]).toBe('2');
    // The native Map's rebuilds, as the zero-code observer reports them from 1,000 entries on.
    expect(cells[0]?.[11]).toMatch(/^\d+ ¹$/);
    expect(Number.parseInt(cells[0]?.[11] ?? '', 10)).toBeGreaterThan(0);
    expect(run.stdout).toContain('sum by (job, presize_map_growth_kind) (presize_map_growths_total');
    // The URL is printed while Prometheus still runs, but read once it is gone: the output says so.
    expect(run.stdout).toMatch(
      /Prometheus: http:\/\/127\.0\.0\.1:\d+ \(up while the demo runs: it stops when the demo ends\)[^]*\nPrometheus and the services are stopped: the URLs above answered during the run only\. To open them, run `npm run demo -- --keep-running`/,
    );
    const urls = urlsIn(run.stdout);
    expect(urls.length).toBeGreaterThanOrEqual(1);
    for (const url of urls) expect({ url, answers: await answers(url) }).toEqual({ url, answers: false });
  }, 120_000);

  it('with --tsdb victoria-metrics sends the telemetry through vmagent into VictoriaMetrics, and stops all of it', async () => {
    const tmp = privateTmp();
    try {
      const run = await launch(
        ['--duration', '10', '--devices', '8000', '--caches', 'presized-5000', '--tsdb', 'victoria-metrics'],
        tmp.env,
      ).finished;
      expect({ code: run.code, stderr: run.stderr }).toEqual({ code: 0, stderr: expect.any(String) });
      expect(run.stdout).toContain('Starting VictoriaMetrics, vmagent and vmalert on 127.0.0.1');
      const row = run.stdout.split('\n').find((line) => /^\| presized-5000 /.test(line));
      const cells = row
        ?.split('|')
        .slice(1, -1)
        .map((cell) => cell.trim());
      // 8,000 devices cross 6,657 once; the doublings read back from VictoriaMetrics are the
      // service's own (the demo notes any disagreement with its stats()). The demo's output is
      // part of what is compared, so that a failure shows it.
      expect({ growths: cells?.[11], stdout: run.stdout }).toEqual({
        growths: '1',
        stdout: expect.not.stringContaining('note: VictoriaMetrics has'),
      });
      expect(cells?.[7]).toMatch(/^\d+(\.\d+)? ms$/);
      expect(run.stdout).toMatch(
        /VictoriaMetrics: http:\/\/127\.0\.0\.1:\d+ \(up while the demo runs[^]*\/vmui\/#\/\?g0\.expr=/,
      );
      expect(run.stdout).toContain('VictoriaMetrics and the services are stopped');
      const urls = urlsIn(run.stdout);
      expect(urls.length).toBeGreaterThanOrEqual(2);
      for (const url of urls) expect({ url, answers: await answers(url) }).toEqual({ url, answers: false });
      expect(tmp.victoriaMetricsDirsLeft()).toEqual([]);
    } finally {
      tmp.remove();
    }
  }, 120_000);

  it('stops Prometheus and the service on Ctrl-C in the middle of the load', async () => {
    const tmp = privateTmp();
    try {
      const started = launch(['--duration', '60', '--devices', '20000', '--caches', 'presized-5000'], tmp.env);
      await started.until(/presized-5000 +\d+s\/60s/);
      started.child.kill('SIGINT');
      const run = await started.finished;
      expect(run.code).toBe(130);
      expect(run.stdout).toContain('SIGINT: stopping everything the demo started');
      for (const url of urlsIn(run.stdout))
        expect({ url, answers: await answers(url) }).toEqual({ url, answers: false });
      const pids = [...run.stdout.matchAll(/pid (\d+)/g)].map((match) => Number(match[1]));
      expect(pids).toHaveLength(1);
      for (const pid of pids) expect({ pid, alive: pidAlive(pid) }).toEqual({ pid, alive: false });
      expect(tmp.prometheusDirsLeft()).toEqual([]);
    } finally {
      tmp.remove();
    }
  }, 120_000);

  it('with --keep-running keeps the provisioned Prometheus and the service up after the table, until Ctrl-C', async () => {
    const tmp = privateTmp();
    try {
      const started = launch(
        ['--duration', '5', '--devices', '2000', '--caches', 'presized-5000', '--keep-running'],
        tmp.env,
      );
      await started.until(/Prometheus and the services keep running; Ctrl-C stops them\.\n/);
      const [, prometheusUrl] = await started.until(/Prometheus: (http:\/\/127\.0\.0\.1:\d+) \(up until Ctrl-C\)/);
      const [, serviceUrl] = await started.until(/▶ presized-5000: .*\(pid \d+, (http:\/\/127\.0\.0\.1:\d+),/);
      expect((await fetch(`${prometheusUrl}/-/ready`)).status).toBe(200);
      expect(await (await fetch(`${serviceUrl}/stats`)).json()).toMatchObject({ cache: 'presized-5000', size: 2_000 });

      // What runs is the provisioned configuration: its global settings and rule files.
      const provisioned = parse(readFileSync(PROVISIONED_CONFIG, 'utf8')) as {
        global: Record<string, string>;
        rule_files: string[];
      };
      const status = (await (await fetch(`${prometheusUrl}/api/v1/status/config`)).json()) as {
        data: { yaml: string };
      };
      const running = parse(status.data.yaml) as {
        global: Record<string, string>;
        rule_files: string[];
        scrape_configs: Array<{ job_name: string }>;
      };
      expect(running.global).toEqual(expect.objectContaining(provisioned.global));
      expect(running.rule_files).toEqual(
        provisioned.rule_files.map((file) => resolve(dirname(PROVISIONED_CONFIG), file)),
      );
      expect(running.scrape_configs.map((job) => job.job_name)).toEqual(['device-logs-presized-5000']);

      started.child.kill('SIGINT');
      const run = await started.finished;
      expect(run.code).toBe(0);
      expect(run.stderr).not.toContain('could not stop');
      expect(run.stdout).toContain('SIGINT: stopping everything the demo started');
      for (const url of [prometheusUrl, serviceUrl])
        expect({ url, answers: await answers(url as string) }).toEqual({ url, answers: false });
      expect(tmp.prometheusDirsLeft()).toEqual([]);
    } finally {
      tmp.remove();
    }
  }, 120_000);

  it('fails with the reason and stops Prometheus when a service dies during the load', async () => {
    const tmp = privateTmp();
    try {
      const started = launch(['--duration', '60', '--devices', '20000', '--caches', 'presized-5000'], tmp.env);
      const [, pid] = await started.until(/▶ presized-5000: .*\(pid (\d+), /);
      await started.until(/presized-5000 +\d+s\/60s/);
      process.kill(Number(pid), 'SIGKILL');
      const run = await started.finished;
      expect(run.code).toBe(1);
      expect(run.stderr).toContain('demo failed: the presized-5000 service was killed by SIGKILL during the load');
      expect(run.stdout).not.toContain('Measured on this machine');
      const urls = urlsIn(run.stdout);
      expect(urls.length).toBeGreaterThanOrEqual(2);
      for (const url of urls) expect({ url, answers: await answers(url) }).toEqual({ url, answers: false });
      expect(tmp.prometheusDirsLeft()).toEqual([]);
    } finally {
      tmp.remove();
    }
  }, 120_000);

  it('stops a Prometheus that is still starting on Ctrl-C, and removes its directory', async () => {
    // A prometheus on PATH that passes the demo's check but never gets ready: Ctrl-C lands in start-up.
    const tmp = privateTmp();
    const shimDir = mkdtempSync(join(tmpdir(), 'presize-prometheus-shim-'));
    const pidFile = join(shimDir, 'pid');
    let pid = 0;
    writeFileSync(
      join(shimDir, 'prometheus'),
      `#!/bin/sh\n[ "$1" = --version ] && exit 0\necho $$ > '${pidFile}'\nexec sleep 300\n`,
    );
    chmodSync(join(shimDir, 'prometheus'), 0o755);
    try {
      const started = launch(['--duration', '5', '--caches', 'native'], {
        ...tmp.env,
        PATH: `${shimDir}:${process.env.PATH ?? ''}`,
      });
      await started.until(/Starting Prometheus on 127\.0\.0\.1 from provisioning\/prometheus\/prometheus\.yml/);
      while (!existsSync(pidFile) || readFileSync(pidFile, 'utf8').trim() === '')
        await new Promise((done) => setTimeout(done, 50));
      pid = Number(readFileSync(pidFile, 'utf8'));
      expect(tmp.prometheusDirsLeft()).toHaveLength(1);
      started.child.kill('SIGINT');
      const run = await started.finished;
      expect(run.code).toBe(130);
      expect(run.stdout).not.toContain('Prometheus is at');
      expect({ pid, alive: pidAlive(pid) }).toEqual({ pid, alive: false });
      expect(tmp.prometheusDirsLeft()).toEqual([]);
    } finally {
      // A failed run must not leave the stand-in sleeping.
      if (pid > 0 && pidAlive(pid)) process.kill(pid);
      tmp.remove();
      rmSync(shimDir, { recursive: true, force: true });
    }
  }, 120_000);
});
