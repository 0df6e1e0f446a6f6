// npm run demo: the incident of a device-log cache sized for 5,000 devices that meets 120,000,
// replayed against each cache in turn, with the telemetry flowing through a real Prometheus (or
// VictoriaMetrics with vmagent and vmalert, --tsdb victoria-metrics).
//
//   --duration <seconds>   load per cache (default 30)
//   --devices <n>          distinct device ids that arrive (default 120000)
//   --caches <list>        comma-separated subset of native,presized-5000,planned,sharded
//   --tsdb <name>          prometheus (default) or victoria-metrics
//   --keep-running         leave Prometheus and the services up until Ctrl-C
import { existsSync, mkdirSync, writeFileSync } from 'node:fs';
import { cpus, loadavg } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { freePort } from '../tools/ports.js';
import { DEFAULT_BATCH_SIZE, DEFAULT_CONCURRENCY, runLoad, type LoadProgress } from './demo/load.js';
import { bucketBound, comparisons, figures, maxBound, table, type CacheFigures } from './demo/measure.js';
import { REPOSITORY_ROOT, startService, type RunningService } from './demo/service.js';
import { ensureTsdb, startDemoTsdb, TSDBS, type DemoTsdb, type TsdbKind } from './demo/tsdb.js';

const CACHES = ['native', 'presized-5000', 'planned', 'sharded'];
const RESULTS_FILE = join(REPOSITORY_ROOT, '.demo/results.json');

const USAGE = `usage: npm run demo -- [--duration <seconds>] [--devices <n>] [--caches <list>] [--tsdb <name>] [--keep-running]
  --duration <seconds>  load per cache, default 30
  --devices <n>         distinct device ids arriving during each run, default 120000
  --caches <list>       comma-separated, from ${CACHES.join(',')} (default: all, in that order)
  --tsdb <name>         where the telemetry goes: prometheus (default) or victoria-metrics (with vmagent and vmalert)
  --keep-running        keep Prometheus and the services up after the table, until Ctrl-C`;

class UsageError extends Error {}

interface DemoOptions {
  durationSeconds: number;
  devices: number;
  caches: string[];
  tsdb: TsdbKind;
  keepRunning: boolean;
}

function parseOptions(argv: string[]): DemoOptions | undefined {
  const { values } = parseArgs({
    args: argv,
    options: {
      duration: { type: 'string', default: '30' },
      devices: { type: 'string', default: '120000' },
      caches: { type: 'string', default: CACHES.join(',') },
      tsdb: { type: 'string', default: 'prometheus' },
      'keep-running': { type: 'boolean', default: false },
      help: { type: 'boolean', short: 'h', default: false },
    },
  });
  if (values.help) return undefined;
  const durationSeconds = Number(values.duration);
  if (!Number.isFinite(durationSeconds) || durationSeconds < 5 || durationSeconds > 3_600) {
    throw new UsageError(
      `--duration must be a number of seconds from 5 to 3600, got ${JSON.stringify(values.duration)}`,
    );
  }
  const devices = Number(values.devices);
  if (!Number.isInteger(devices) || devices < 1 || devices > 10_000_000) {
    throw new UsageError(`--devices must be a whole number from 1 to 10000000, got ${JSON.stringify(values.devices)}`);
  }
  const caches = values.caches
    .split(',')
    .map((name) => name.trim())
    .filter(Boolean);
  const unknown = caches.filter((name) => !CACHES.includes(name));
  if (caches.length === 0 || unknown.length > 0) {
    throw new UsageError(
      `--caches takes names from ${CACHES.join(', ')}; unknown: ${unknown.join(', ') || '(none given)'}`,
    );
  }
  const tsdb = TSDBS.find((name) => name === values.tsdb);
  if (!tsdb) throw new UsageError(`--tsdb takes ${TSDBS.join(' or ')}, got ${JSON.stringify(values.tsdb)}`);
  return { durationSeconds, devices, caches, tsdb, keepRunning: values['keep-running'] };
}

function ensureBuilt(): void {
  for (const file of [
    'map/dist/esm/index.js',
    'instrumentation/dist/esm/index.js',
    'gpu/dist/esm/index.js',
    'auto-instrumentation/dist/esm/register.js',
  ]) {
    if (!existsSync(join(REPOSITORY_ROOT, file))) {
      throw new Error(`${file} is missing: build the package first with \`npm run build\` (npm run demo does it).`);
    }
  }
}

/** Everything started, stopped in reverse order on the way out, however the way out is reached. */
class Cleanup {
  private readonly steps: Array<{ name: string; run: () => Promise<void> }> = [];

  add(name: string, run: () => Promise<void>): void {
    this.steps.push({ name, run });
  }

  remove(name: string): void {
    const index = this.steps.findIndex((step) => step.name === name);
    if (index >= 0) this.steps.splice(index, 1);
  }

  async runAll(): Promise<void> {
    while (this.steps.length > 0) {
      const step = this.steps.pop();
      try {
        await step?.run();
      } catch (error) {
        console.error(`could not stop ${step?.name}: ${(error as Error).message}`);
      }
    }
  }
}

const number = (value: number): string => Math.round(value).toLocaleString('en-US');

/**
 * One progress line a second (every five when not on a terminal): the load's figures, and the
 * map's growths and B as the service's stats() had them at the previous tick.
 */
function progressPrinter(
  cache: string,
  devices: number,
  service: RunningService,
): { update(progress: LoadProgress): void; done(): void } {
  const tty = process.stdout.isTTY === true;
  let lastPrinted = 0;
  let map = '';
  return {
    update(progress) {
      const line =
        `  ${cache.padEnd(14)} ${String(Math.round(progress.elapsedMs / 1_000)).padStart(4)}s/${Math.round(progress.durationMs / 1_000)}s` +
        `  devices ${number(progress.devicesArrived).padStart(9)}/${number(devices)}` +
        `  ${number(progress.eventsPerSecond).padStart(7)} events/s  slowest write ${progress.slowestRecentMs.toFixed(1).padStart(6)} ms${map}`;
      if (tty) {
        process.stdout.write(`\r${line}`);
      } else if (progress.elapsedMs - lastPrinted >= 5_000) {
        lastPrinted = progress.elapsedMs;
        console.log(line);
      }
      service.stats().then(
        (stats) => {
          map =
            stats.map === null
              ? ''
              : `  B=${stats.map.B}, ${stats.map.growths} growths${stats.map.growing ? ', growing' : ''}`;
        },
        () => undefined,
      );
    },
    done() {
      if (tty) process.stdout.write('\n');
    },
  };
}

/**
 * Doublings of the map that Prometheus scraped: a presized map's own, or the V8 table rebuilds the
 * native-map observer saw. With `expected` (the service's stats()), waits until Prometheus agrees:
 * on a loaded machine the scrapes during the load may have timed out, and the next one brings the
 * counter.
 */
/** How long the store may take to agree with the service's own count of doublings. */
const AGREEMENT_TIMEOUT_MS = 45_000;

async function growthsInTsdb(tsdb: DemoTsdb, job: string, expected: number | undefined): Promise<number> {
  const expr = `sum(presize_map_growths_total{job="${job}", presize_map_growth_kind=~"double|v8_rehash"}) or vector(0)`;
  if (expected !== undefined) {
    try {
      const [sample] = await tsdb.waitFor(expr, (result) => result[0]?.value === expected, AGREEMENT_TIMEOUT_MS);
      return sample?.value ?? 0;
    } catch {
      // Reported below as a disagreement with stats().
    }
  }
  const [sample] = await tsdb.query(expr);
  return sample?.value ?? 0;
}

/**
 * Entries at which the zero-code observer starts watching a native Map: low enough to see the
 * cache's table rebuilds from early on, high enough to leave the process's small maps alone.
 */
const NATIVE_MAPS_MIN = 1_000;

function serviceEnv(cache: string, devices: number): Record<string, string> {
  const env: Record<string, string> = { DEVICE_LOGS_FLEET: String(devices) };
  if (cache === 'native')
    Object.assign(env, { PRESIZE_NATIVE_MAPS: 'observe', PRESIZE_NATIVE_MAPS_MIN: String(NATIVE_MAPS_MIN) });
  return env;
}

/** The longest event-loop block the service's runtime metrics recorded from `from` to `to`. */
async function largestStallInTsdb(tsdb: DemoTsdb, job: string, from: Date, to: Date): Promise<number | null> {
  const seconds = Math.ceil((to.getTime() - from.getTime()) / 1_000);
  const [sample] = await tsdb.query(`max(max_over_time(nodejs_eventloop_delay_max{job="${job}"}[${seconds}s]))`, to);
  return sample === undefined || !Number.isFinite(sample.value) ? null : sample.value * 1_000;
}

/** Upper bound of the longest single write's growth work: table allocation or evacuation. */
async function mapStallInTsdb(tsdb: DemoTsdb, job: string, at: Date): Promise<number | null> {
  let longest: number | null = null;
  for (const histogram of ['presize_map_growth_allocation_duration', 'presize_map_evacuation_stall']) {
    const samples = await tsdb.query(`sum by (le) (${histogram}_bucket{job="${job}"})`, at);
    const seconds = maxBound(samples.map((sample) => [bucketBound(sample.metric.le), sample.value]));
    if (seconds !== null) longest = Math.max(longest ?? 0, seconds * 1_000);
  }
  return longest;
}

async function runCache(
  cache: string,
  options: DemoOptions,
  service: RunningService,
  tsdb: DemoTsdb,
  signal: AbortSignal,
): Promise<CacheFigures> {
  const job = `device-logs-${cache}`;
  console.log(
    `\n▶ ${cache}: ${service.description} (pid ${service.pid}, ${service.url}, metrics ${service.metricsTarget})`,
  );
  await tsdb
    .waitFor(`up{job="${job}"}`, (result) => result[0]?.value === 1, 30_000)
    .catch((error: Error) => {
      throw new Error(
        `${tsdb.name} could not scrape ${service.metricsTarget}/metrics: ${error.message}\n${service.stderr()}`,
      );
    });
  const before = await service.stats();
  const loadStarted = new Date();
  const printer = progressPrinter(cache, options.devices, service);
  const died = service.exited.then(({ code, signal }) => {
    throw new Error(
      `the ${cache} service ${signal ? `was killed by ${signal}` : `exited with code ${code}`} during the load:\n${service.stderr()}`,
    );
  });
  const load = await Promise.race([
    runLoad({
      url: service.url,
      durationMs: options.durationSeconds * 1_000,
      devices: options.devices,
      onProgress: printer.update,
      signal,
    }),
    died,
  ]).finally(printer.done);
  const after = await service.stats();
  // Two scrape intervals past the end of the load, so that its last second is in.
  const loadCovered = new Date(Date.now() + 2_000);
  await new Promise((done) => setTimeout(done, Math.max(0, loadCovered.getTime() + 500 - Date.now())));
  await tsdb.settle();
  const growths = await growthsInTsdb(tsdb, job, after.map === null ? undefined : Number(after.map.growths));
  const largestStallMs = await largestStallInTsdb(tsdb, job, loadStarted, loadCovered);
  const mapStallBoundMs = await mapStallInTsdb(tsdb, job, loadCovered);
  const result = figures(load, before, after, { growths, largestStallMs, mapStallBoundMs });
  if (result.errors > 0) console.log(`  ${number(result.errors)} requests failed; the first: ${result.firstError}`);
  if (result.growthsFromStats !== null && result.growths !== result.growthsFromStats) {
    const [up] = await tsdb.query(`up{job="${job}"}`);
    console.log(
      `  note: ${tsdb.name} has ${result.growths} growths, the service's stats() ${result.growthsFromStats} ` +
        `(after ${AGREEMENT_TIMEOUT_MS / 1_000} s; the last scrape of ${service.metricsTarget ?? 'the service'}: up ${up?.value ?? 'absent'})`,
    );
  }
  return result;
}

function printQueries(tsdb: DemoTsdb, jobs: string[], keepRunning: boolean): void {
  const matcher = `job=~"${jobs.join('|')}"`;
  const queries = [
    [
      'every growth of every map, per service and kind',
      `sum by (job, presize_map_growth_kind) (presize_map_growths_total{${matcher}})`,
    ],
    [
      'the time one write spent evacuating buckets (p99 per service)',
      `histogram_quantile(0.99, sum by (job, le) (rate(presize_map_evacuation_stall_bucket{${matcher}}[1m])))`,
    ],
    [
      "the risk score the project's rules give each map (0-100; 50 warns, 80 pages)",
      `presize:map_risk:score{${matcher}}`,
    ],
  ];
  console.log(
    `\n${tsdb.name}: ${tsdb.url} (${keepRunning ? 'up until Ctrl-C' : 'up while the demo runs: it stops when the demo ends'})`,
  );
  for (const [what, expr] of queries) {
    console.log(`  ${what}:\n    ${tsdb.graphUrl(expr as string)}\n    ${expr}`);
  }
}

/** Set on Ctrl-C: the signal handler owns the way out from then on. */
let interrupted = false;

async function main(): Promise<number> {
  let options: DemoOptions | undefined;
  try {
    options = parseOptions(process.argv.slice(2));
  } catch (error) {
    console.error(`${(error as Error).message}\n${USAGE}`);
    return 2;
  }
  if (!options) {
    console.log(USAGE);
    return 0;
  }
  const demo = options;
  ensureTsdb(demo.tsdb);
  ensureBuilt();

  const cleanup = new Cleanup();
  const abort = new AbortController();
  // Ctrl-C is how a --keep-running demo that printed its table ends: a success, not an interruption.
  let waitingForCtrlC = false;
  const onSignal = (signal: NodeJS.Signals): void => {
    if (interrupted) return;
    interrupted = true;
    console.log(`\n${signal}: stopping everything the demo started ...`);
    abort.abort();
    void cleanup.runAll().then(() => process.exit(waitingForCtrlC ? 0 : 130));
  };
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  try {
    const [loadAtStart = 0] = loadavg();
    const ports = new Map<string, { port: number; metricsPort: number }>();
    for (const cache of demo.caches) ports.set(cache, { port: await freePort(), metricsPort: await freePort() });
    const jobs = demo.caches.map((cache) => ({
      job: `device-logs-${cache}`,
      target: `127.0.0.1:${ports.get(cache)?.metricsPort}`,
    }));
    const tsdb = await startDemoTsdb(demo.tsdb, jobs, (stop) => cleanup.add(demo.tsdb, stop));
    console.log(`${tsdb.name} is at ${tsdb.url}`);
    console.log(
      `Each cache gets ${demo.durationSeconds} s of load: ${number(demo.devices)} device ids arriving over the first ` +
        `70 % of it, ${DEFAULT_BATCH_SIZE} events per request, ${DEFAULT_CONCURRENCY} requests in flight.`,
    );

    const rows: CacheFigures[] = [];
    for (const cache of demo.caches) {
      if (interrupted) break;
      const { port, metricsPort } = ports.get(cache) as { port: number; metricsPort: number };
      const service = await startService({
        cache,
        port,
        metricsPort,
        env: serviceEnv(cache, demo.devices),
        onSpawned: (stop) => cleanup.add(`device-logs-${cache}`, stop),
      });
      rows.push(await runCache(cache, demo, service, tsdb, abort.signal));
      if (!demo.keepRunning) {
        cleanup.remove(`device-logs-${cache}`);
        await service.stop();
      }
    }
    if (interrupted) return 130;

    const [load1] = loadavg();
    console.log(
      `\nMeasured on this machine (${cpus().length} CPUs, load average ${loadAtStart.toFixed(1)} at the start, ` +
        `${(load1 ?? 0).toFixed(1)} now), ${demo.durationSeconds} s of load per cache, ${number(demo.devices)} devices:\n`,
    );
    console.log(table(rows));
    console.log(
      [
        '',
        'throughput: log events written per second. avg, p99 and slowest write: latency of one request of',
        `  ${DEFAULT_BATCH_SIZE} events, measured by the client. largest stall: the longest the service's event loop`,
        '  was blocked (nodejs_eventloop_delay_max, through Prometheus). map stall: the longest one write spent',
        '  growing the map, allocating its new table or evacuating (bucket bound of presize_map_* histograms).',
        "  GC pause p99, GC time (share of the run spent in GC pauses) and allocation: V8's GC profiler",
        '  inside the service (GET /stats). growths: map doublings (presize_map_growths_total).',
        `¹ V8 table rebuilds of the native Map, each done all at once, as the zero-code observer saw them`,
        `  (PRESIZE_NATIVE_MAPS=observe) from ${NATIVE_MAPS_MIN.toLocaleString('en-US')} entries on; growths before that are not counted.`,
      ].join('\n'),
    );
    for (const line of comparisons(rows)) console.log(`  ${line}`);
    mkdirSync(join(REPOSITORY_ROOT, '.demo'), { recursive: true });
    writeFileSync(
      RESULTS_FILE,
      `${JSON.stringify({ when: new Date().toISOString(), options: demo, rows }, null, 2)}\n`,
    );
    console.log(`(figures saved in .demo/results.json)`);

    printQueries(
      tsdb,
      demo.caches.map((cache) => `device-logs-${cache}`),
      demo.keepRunning,
    );
    if (demo.keepRunning) {
      waitingForCtrlC = true;
      console.log(`\n${tsdb.name} and the services keep running; Ctrl-C stops them.`);
      await new Promise<never>(() => undefined);
    }
    await cleanup.runAll();
    console.log(
      `\n${tsdb.name} and the services are stopped: the URLs above answered during the run only. ` +
        'To open them, run `npm run demo -- --keep-running`, which keeps everything up until Ctrl-C.',
    );
    return 0;
  } finally {
    if (!interrupted) await cleanup.runAll();
  }
}

main().then(
  (code) => {
    if (!interrupted) process.exit(code);
  },
  (error: unknown) => {
    // What fails once Ctrl-C is stopping everything is the stopping itself, not news.
    if (interrupted) return;
    console.error(`\ndemo failed: ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  },
);
