// bench-node-flags: --require ./bench/fleet/browserless-grafana.cjs --import tsx
// bench-time-limit-seconds: 1800
//
// Half an hour, not the runner's ten minutes: 10,000 maps are 1.7 GB of OpenMetrics text, which
// promtool and VictoriaMetrics' import take minutes each to load on a small shared machine, and
// each store then evaluates every rule group twice before it is measured.
//
// Presize at fleet size on Prometheus and on VictoriaMetrics, side by side: a fleet of 1,000 and
// then 10,000 presized maps (500 services) and 1,000 GPUs over three hours of simulated time,
// backfilled into Prometheus (promtool tsdb create-blocks-from openmetrics) and imported into
// VictoriaMetrics (/api/v1/import/prometheus), both evaluating every generated rule file
// (Prometheus itself, vmalert). Measured: one evaluation of each rule group, the Grafana
// datasource's risk map, SLO and capacity queries end to end, and the bytes a load of each
// dashboard transfers.
//
// A targeted run: PRESIZE_BENCH_FLEET_MAPS=10000 measures one size only (1000, 10000 or both,
// comma-separated), PRESIZE_BENCH_FLEET_STORES=prometheus one store only (prometheus,
// victoria-metrics); the report then shows n/a for what was not measured.
import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { createReadStream, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { createInterface } from 'node:readline';
import { DataSource } from '../grafana-plugin/src/datasource.ts';
import { DEFAULT_RISK_ROWS, MAX_RISK_ROWS } from '../grafana-plugin/src/core/risk.ts';
import { dashboardVariables, instanceSettings } from '../grafana-plugin/src/test-support.ts';
import { httpRequest } from '../grafana-plugin/src/transport/http-request.ts';
import { startPrometheus } from '../tools/prometheus.ts';
import { startVictoriaMetrics } from '../tools/victoria-metrics.ts';
import { writeFleet } from './fleet/fleet.ts';
import { fmtBytes, fmtInt, fmtMs, fmtRatio, median, progress, quick, table, verdict, writeReport } from './lib.mjs';

// @grafana/data's ES build cannot be imported by Node; its CommonJS build is what the datasource loads here.
const { dateTime } = createRequire(import.meta.url)('@grafana/data');

const RULES_DIR = 'provisioning/prometheus/rules';
const RULE_FILES = readdirSync(RULES_DIR)
  .filter((f) => f.endsWith('.yml'))
  .map((f) => join(process.cwd(), RULES_DIR, f));
const DASHBOARDS_DIR = 'dashboards';
const STEP_SECONDS = 120;
const HOURS = 3;
const EVALUATION_SECONDS = 15;
/** The fleet's samples end when it is written; both stores look back far enough to read them as current. */
const LOOKBACK = '1h';
const RUNS = 3;
const DASHBOARD_QUERY_TIMEOUT = '30s';
/**
 * `leadSeconds`: how far past its writing the fleet's samples run, about the time writing, loading
 * and measuring VictoriaMetrics take. The rules' 5 m and 10 m windows read the last minutes of the
 * fleet: a fleet that ended while it was loading would leave them empty (10,000 maps take minutes
 * to load), and the groups would be measured on the fallbacks for a missing window, not on the work
 * they do on a live fleet. Prometheus starts once the last sample is past (it refuses to record
 * before the end of its newest block). `prometheusOnlyLeadSeconds`: the same when VictoriaMetrics
 * is not measured, writing and promtool alone.
 */
const FULL_SIZES = [
  { services: 50, mapsPerService: 20, gpus: 100, leadSeconds: 150, prometheusOnlyLeadSeconds: 60 },
  { services: 500, mapsPerService: 20, gpus: 1_000, leadSeconds: 480, prometheusOnlyLeadSeconds: 180 },
];
const STORES = ['prometheus', 'victoria-metrics'];

/** The comma-separated values of an environment variable, each one of `allowed`; all of them when unset. */
function chosen(variable, allowed) {
  const raw = process.env[variable];
  if (raw === undefined || raw.trim() === '') return allowed;
  const values = raw.split(',').map((v) => v.trim());
  const unknown = values.filter((v) => !allowed.includes(v));
  if (unknown.length > 0 || values.length === 0)
    throw new Error(
      `${variable} must list some of ${allowed.join(', ')} (comma-separated), got ${JSON.stringify(raw)}`,
    );
  return allowed.filter((v) => values.includes(v));
}

const mapsOf = (shape) => shape.services * shape.mapsPerService;
const SIZES = quick()
  ? [{ services: 10, mapsPerService: 10, gpus: 16, leadSeconds: 60, prometheusOnlyLeadSeconds: 30 }]
  : chosen(
      'PRESIZE_BENCH_FLEET_MAPS',
      FULL_SIZES.map((s) => String(mapsOf(s))),
    ).map((maps) => FULL_SIZES.find((s) => String(mapsOf(s)) === maps));
const MEASURED_STORES = chosen('PRESIZE_BENCH_FLEET_STORES', STORES);

const seconds = (ms) => `${(ms / 1000).toFixed(1)} s`;

/** An HTTP transport that counts the bytes of every response body, as the datasource's fetches would. */
function countingTransport(url) {
  const counter = { bytes: 0 };
  const transport = async (path, params) => {
    const request = httpRequest(path, params);
    const response = await fetch(`${url}/${request.url}`, {
      method: request.method,
      body: request.body,
      headers: request.headers,
    });
    const text = await response.text();
    counter.bytes += Buffer.byteLength(text);
    return JSON.parse(text);
  };
  return { transport, counter };
}

async function timeDatasource(url, target, atMs) {
  const { transport, counter } = countingTransport(url);
  const ds = new DataSource(instanceSettings({ url, authMethod: 'none' }), {
    transport,
    templateSrv: await dashboardVariables([]),
  });
  const request = {
    targets: [{ refId: 'A', ...target }],
    range: { from: dateTime(atMs - 3600_000), to: dateTime(atMs), raw: { from: 'now-1h', to: 'now' } },
    intervalMs: 15_000,
    maxDataPoints: 500,
    scopedVars: {},
  };
  const times = [];
  let rows = 0;
  let bytes = 0;
  for (let i = 0; i < RUNS; i++) {
    counter.bytes = 0;
    const started = performance.now();
    const response = await ds.query(request);
    times.push(performance.now() - started);
    if (response.errors?.length)
      throw new Error(`${target.queryType}: ${response.errors.map((e) => e.message).join('; ')}`);
    rows = response.data.reduce((sum, frame) => sum + frame.length, 0);
    bytes = counter.bytes;
  }
  return { ms: median(times), rows, bytes };
}

/** Every panel target of every dashboard, with its variables at All (custom ones at their default) and Grafana's interval macros filled in. */
function dashboardQueries() {
  const queries = [];
  for (const file of readdirSync(DASHBOARDS_DIR)
    .filter((f) => f.endsWith('.json'))
    .sort()) {
    const dashboard = JSON.parse(readFileSync(join(DASHBOARDS_DIR, file), 'utf8'));
    // A custom variable (how many subjects a panel draws) keeps its default; the others are at All.
    const defaults = new Map(
      (dashboard.templating?.list ?? [])
        .filter((v) => v.type === 'custom')
        .map((v) => [v.name, String(v.current?.value)]),
    );
    const walk = (panels) => {
      for (const panel of panels ?? []) {
        walk(panel.panels);
        for (const target of panel.targets ?? []) {
          if (typeof target.expr !== 'string') continue;
          const expr = target.expr
            .replaceAll('$__rate_interval', `${4 * STEP_SECONDS}s`)
            .replaceAll('$__interval', `${STEP_SECONDS}s`)
            .replace(/\$\{?(\w+)(?::\w+)?\}?/g, (_, name) => defaults.get(name) ?? '.*');
          queries.push({
            dashboard: file.replace(/\.json$/, ''),
            expr,
            instant: target.instant === true && target.range !== true,
          });
        }
      }
    };
    walk(dashboard.panels);
  }
  return queries;
}

async function dashboardBytes(url, nowSeconds) {
  const byDashboard = new Map();
  for (const { dashboard, expr, instant } of dashboardQueries()) {
    // Each query is given at most DASHBOARD_QUERY_TIMEOUT, as a dashboard's panel would be by Grafana's.
    const params = new URLSearchParams({ query: expr, timeout: DASHBOARD_QUERY_TIMEOUT });
    if (instant) params.set('time', String(nowSeconds));
    else {
      params.set('start', String(nowSeconds - 3600));
      params.set('end', String(nowSeconds));
      params.set('step', '15');
    }
    const response = await fetch(`${url}/api/v1/${instant ? 'query' : 'query_range'}?${params}`);
    const body = await response.text();
    // A query the store gives up on (its query timeout) is a result at this size, not a failure of the bench.
    if (!response.ok) progress(`${dashboard}: ${body.slice(0, 200)}\n  query: ${expr.slice(0, 200)}`);
    byDashboard.set(dashboard, (byDashboard.get(dashboard) ?? 0) + Buffer.byteLength(body));
  }
  return byDashboard;
}

/**
 * Evaluations of a group left out of its figure: the first finds none of the records the groups
 * before it write, and it and the second create the store's series for what the group records
 * (at 10,000 maps, some 130,000 new series, far costlier than appending to them later).
 */
const STARTING_EVALUATIONS = 2;
/** Evaluations of each group measured after those, long enough on a live fleet for its 5 m windows to stay full. */
const MEASURED_EVALUATIONS = 4;

/**
 * A group's figure from its evaluation times in order: the median of the measured evaluations,
 * their slowest, and the last starting one, once the group has run that often.
 */
function groupFigure(durations) {
  const measured = durations.slice(STARTING_EVALUATIONS, STARTING_EVALUATIONS + MEASURED_EVALUATIONS);
  if (measured.length < MEASURED_EVALUATIONS) return undefined;
  return { ms: median(measured), max: Math.max(...measured), starting: durations[STARTING_EVALUATIONS - 1] };
}

/** Polls `read` (group name to the durations of evaluations seen so far) until every group has its figure. */
async function groupFigures(read) {
  const deadline = Date.now() + 300_000;
  let figures = new Map();
  while (Date.now() < deadline) {
    const durations = await read();
    figures = new Map([...durations].map(([name, list]) => [name, groupFigure(list)]));
    if (figures.size > 0 && [...figures.values()].every((f) => f !== undefined)) break;
    await new Promise((done) => setTimeout(done, 1000));
  }
  return new Map([...figures].filter(([, f]) => f !== undefined));
}

/** Prometheus' own evaluation time of each group, per evaluation (told apart by their start). */
function prometheusGroupTimes(url) {
  const seen = new Map();
  return groupFigures(async () => {
    const body = await (await fetch(`${url}/api/v1/rules`)).json();
    for (const group of body.data.groups) {
      const evaluations = seen.get(group.name) ?? new Map();
      if (group.lastEvaluation && !group.lastEvaluation.startsWith('0001'))
        evaluations.set(group.lastEvaluation, group.evaluationTime * 1000);
      seen.set(group.name, evaluations);
    }
    return new Map([...seen].map(([name, evaluations]) => [name, [...evaluations.values()]]));
  });
}

/** vmalert's own iteration durations per group, one per iteration from the change of their sum and count. */
function vmalertGroupTimes(vmalertUrl) {
  const previous = new Map();
  const durations = new Map();
  return groupFigures(async () => {
    const text = await (await fetch(`${vmalertUrl}/metrics`)).text();
    const groups = new Map();
    for (const line of text.split('\n')) {
      const match = /^vmalert_iteration_duration_seconds_(sum|count)\{.*group="([^"]+)".*\} (\S+)$/.exec(line);
      if (!match) continue;
      const entry = groups.get(match[2]) ?? { sum: 0, count: 0 };
      entry[match[1]] = Number(match[3]);
      groups.set(match[2], entry);
    }
    for (const [name, { sum, count }] of groups) {
      const before = previous.get(name) ?? { sum: 0, count: 0 };
      const list = durations.get(name) ?? [];
      // Polled every second, a 15 s group iterates at most once between two reads; iterations before
      // the first read, all starting ones, share their mean.
      for (let i = before.count; i < count; i++) list.push(((sum - before.sum) / (count - before.count)) * 1000);
      durations.set(name, list);
      previous.set(name, { sum, count });
    }
    return durations;
  });
}

/** Streams the OpenMetrics file into VictoriaMetrics in pieces, timestamps in milliseconds. */
async function importFleet(url, file) {
  const lines = createInterface({ input: createReadStream(file), crlfDelay: Infinity });
  let batch = [];
  let size = 0;
  const send = async () => {
    const response = await fetch(`${url}/api/v1/import/prometheus`, { method: 'POST', body: batch.join('\n') + '\n' });
    if (!response.ok) throw new Error(`import answered ${response.status}: ${await response.text()}`);
    batch = [];
    size = 0;
  };
  for await (const line of lines) {
    if (line.startsWith('#') || line === '') continue;
    batch.push(`${line}000`);
    size += line.length + 4;
    // Well under the 32 MiB VictoriaMetrics accepts in one request (-maxInsertRequestSize).
    if (size > 8 << 20) await send();
  }
  if (batch.length) await send();
  await fetch(`${url}/internal/force_flush`);
}

async function measureStore(name, url, groupTimes, endSeconds) {
  // Negative: the fleet still runs ahead of the store's clock, which reads it as live.
  const fleetAge = Math.round(Date.now() / 1000 - endSeconds);
  progress(`${name}: rule groups; the fleet's last sample is ${fleetAge} s old`);
  const load = [loadavg()[0]];
  const groups = await groupTimes();
  // After the evaluations, so that the recorded series the dashboards and the SLO query read are there.
  const nowMs = Date.now();
  progress(`${name}: datasource queries`);
  const risk = await timeDatasource(url, { queryType: 'riskMap', subjects: 'all' }, nowMs);
  const riskAll = await timeDatasource(url, { queryType: 'riskMap', subjects: 'all', rows: MAX_RISK_ROWS }, nowMs);
  const slo = await timeDatasource(url, { queryType: 'slo' }, nowMs);
  const capacity = await timeDatasource(url, { queryType: 'capacity', headroomPercent: 25 }, nowMs);
  progress(`${name}: dashboards`);
  const dashboards = await dashboardBytes(url, Math.floor(nowMs / 1000));
  load.push(loadavg()[0]);
  // On stderr as soon as measured, so that a run cut short still leaves its figures.
  progress(
    `${name}: groups (median, slowest, starting) ${[...groups].map(([group, f]) => `${group} ${fmtMs(f.ms)} ${fmtMs(f.max)} ${fmtMs(f.starting)}`).join(', ')}`,
  );
  progress(
    `${name}: risk map ${fmtMs(risk.ms)} (${fmtInt(risk.rows)} rows, ${fmtBytes(risk.bytes)}), ` +
      `every subject ${fmtMs(riskAll.ms)} (${fmtInt(riskAll.rows)} rows, ${fmtBytes(riskAll.bytes)}), SLO ${fmtMs(slo.ms)}, capacity ${fmtMs(capacity.ms)}; ` +
      `dashboards ${[...dashboards].map(([d, bytes]) => `${d} ${fmtBytes(bytes)}`).join(', ')}`,
  );
  return { groups, risk, riskAll, slo, capacity, dashboards, load, fleetAge };
}

/** What the report shows for a store the run was asked not to measure. */
const NOT_MEASURED = {
  groups: new Map(),
  risk: { ms: NaN, rows: NaN, bytes: NaN },
  riskAll: { ms: NaN, rows: NaN, bytes: NaN },
  slo: { ms: NaN, rows: NaN, bytes: NaN },
  capacity: { ms: NaN, rows: NaN, bytes: NaN },
  dashboards: new Map(),
  load: [],
  fleetAge: NaN,
};
const measures = (store) => MEASURED_STORES.includes(store);

async function timed(work) {
  const started = performance.now();
  await work();
  return performance.now() - started;
}

async function measureSize(shape) {
  const work = mkdtempSync(join(tmpdir(), 'presize-fleet-bench-'));
  try {
    const lead = measures('victoria-metrics') ? shape.leadSeconds : shape.prometheusOnlyLeadSeconds;
    const end = Math.floor(Date.now() / 1000) + lead;
    const file = join(work, 'fleet.om');
    const started = performance.now();
    const fleet = await writeFleet(file, { ...shape, hours: HOURS, stepSeconds: STEP_SECONDS }, end);
    const generateMs = performance.now() - started;
    progress(
      `${new Date().toISOString()} ${fmtInt(fleet.maps)} maps: ${fmtInt(fleet.series)} series, ${fmtInt(fleet.samples)} samples, ${fmtBytes(fleet.bytes)} in ${seconds(generateMs)}`,
    );

    // Loading is not measured against a target: promtool and the import run side by side, and the
    // import goes to a VictoriaMetrics without vmalert, restarted with it on the same data later.
    const loads = await Promise.all([
      timed(async () => {
        if (!measures('prometheus')) return;
        await promisify(execFile)(
          'promtool',
          ['tsdb', 'create-blocks-from', 'openmetrics', file, join(work, 'prometheus')],
          {
            maxBuffer: 64 << 20,
          },
        );
      }),
      timed(async () => {
        if (!measures('victoria-metrics')) return;
        const loader = await startVictoriaMetrics({
          storageDir: join(work, 'victoria-metrics'),
          maxLookback: LOOKBACK,
        });
        try {
          await importFleet(loader.url, file);
        } finally {
          await loader.stop();
        }
      }),
    ]);
    const [backfillMs, importMs] = loads;
    progress(
      `promtool tsdb create-blocks-from openmetrics: ${seconds(backfillMs)}, VictoriaMetrics import: ${seconds(importMs)}`,
    );
    rmSync(file);

    let vmResult = NOT_MEASURED;
    if (measures('victoria-metrics')) {
      const victoriaMetrics = await startVictoriaMetrics({
        storageDir: join(work, 'victoria-metrics'),
        ruleFiles: RULE_FILES,
        evaluationIntervalSeconds: EVALUATION_SECONDS,
        maxLookback: LOOKBACK,
      });
      try {
        vmResult = await measureStore(
          'VictoriaMetrics',
          victoriaMetrics.url,
          () => vmalertGroupTimes(victoriaMetrics.vmalertUrl),
          end,
        );
      } finally {
        await victoriaMetrics.stop();
      }
    }
    if (!measures('prometheus'))
      return { fleet, generateMs, backfillMs, importMs, prometheus: NOT_MEASURED, victoriaMetrics: vmResult };

    const wait = end * 1000 - Date.now();
    if (wait > 0) await new Promise((done) => setTimeout(done, wait));
    const prometheus = await startPrometheus({
      storageDir: join(work, 'prometheus'),
      ruleFiles: RULE_FILES,
      evaluationIntervalSeconds: EVALUATION_SECONDS,
      retention: '30d',
      lookbackDelta: LOOKBACK,
    });
    let promResult;
    try {
      promResult = await measureStore('Prometheus', prometheus.url, () => prometheusGroupTimes(prometheus.url), end);
    } finally {
      await prometheus.stop();
    }
    return { fleet, generateMs, backfillMs, importMs, prometheus: promResult, victoriaMetrics: vmResult };
  } finally {
    rmSync(work, { recursive: true, force: true });
  }
}

const results = [];
for (const shape of SIZES) results.push(await measureSize(shape));

/** What a group's evaluation costs by construction: the reason its time grows with the fleet. */
const GROUP_COSTS = {
  'presize-map-risk':
    "every map's recorded factor scores into its score (their maximum), and its level from the score: 3 series reads a map",
  'presize-map-risk-resize-storm':
    'the doubling counters of every map three times (`increase(…[5m]) and … offset 5m or …` counts a series born inside the window)',
  'presize-map-risk-same-size-growth':
    'the same-size growth counters of every map three times over 1 h (as the doublings)',
  'presize-map-risk-hint-exceeded': "every map's entries and hint",
  'presize-map-risk-evacuation-stall': "every map's evacuation-stall seconds three times over 5 m (as the doublings)",
  'presize-map-risk-growth-imminent': "every map's entries three times (one a 10 m `deriv`) and its next growth point",
  'presize-map-risk-subjects': "every map's entries, aggregated per map: the baseline each factor score falls back to",
  'presize-telemetry-alerts':
    'records the services reporting now from every map and cache series, then reads that record over the last hour (one series a service) to find those that stopped',
  'sloth-slo-sli-recordings-gpu-fleet-utilisation-in-band':
    "a 5 m subquery at a 1 m step over every GPU's raw utilisation (5 steps a GPU); the longer windows read that record",
  'sloth-slo-sli-recordings-device-logs-map-write-latency-p99':
    "5 m rates of every device-logs map's evacuation-stall histogram (count and the 1 ms bucket); the longer windows read those records",
  'presize-gpu-risk-xid': "every GPU's XID field over 15 m",
  'presize-gpu-risk-utilisation-band': "every GPU's utilisation over 15 m",
};
/** A factor's score group (its score from the recorded input) and its alerts group (its alerts over that score). */
const costOf = (group) =>
  GROUP_COSTS[group] ??
  (group.endsWith('-score')
    ? "the factor's score of every subject from its recorded input (read three times, once per piece of the ramp)"
    : group.endsWith('-alerts')
      ? "the factor's two alerts over its recorded score, each expanding the templates of every active alert"
      : 'no cost model noted for this group');
const missed = (store) =>
  large[store] === NOT_MEASURED
    ? 'not measured'
    : [...large[store].groups]
        .filter(([, f]) => !(f.ms < 1000))
        .map(([name, f]) => `${name} ${fmtMs(f.ms)}`)
        .join(', ') || 'none';

const small = results[0];
const large = results.at(-1);
const growth = (pick) => (results.length > 1 ? fmtRatio(pick(large) / pick(small)) : '–');
/** Drops the growth columns (at `indexes`) when the run measured one size only. */
const withoutGrowth = (row, indexes) => (results.length > 1 ? row : row.filter((_, i) => !indexes.includes(i)));
/** For a store the run did not measure: n/a rather than NaN. */
const measured = (value, format) => (Number.isFinite(value) ? format(value) : 'n/a');
const loadOf = (store) => (store === NOT_MEASURED ? 'not measured' : store.load.map((l) => l.toFixed(1)).join(' → '));
const groupNames = [...new Set([...large.prometheus.groups.keys(), ...large.victoriaMetrics.groups.keys()])].sort();
/** Under the 1 s target, or on a store the run did not measure (which then decides nothing). */
const underTarget = (store, ms) => large[store] === NOT_MEASURED || ms < 1000;
/** A group's median evaluation in ms on a store, undefined where it was not measured. */
const groupMs = (result, store, name) => result[store].groups.get(name)?.ms;
const groupMet = (name) =>
  underTarget('prometheus', groupMs(large, 'prometheus', name)) &&
  underTarget('victoriaMetrics', groupMs(large, 'victoriaMetrics', name));
/** Median, and the slowest of the measured evaluations and the last starting one after it. */
const groupCell = (figure) =>
  figure === undefined ? 'n/a' : `${fmtMs(figure.ms)} (${fmtMs(figure.max)}; ${fmtMs(figure.starting)})`;
const slowGroups = groupNames.filter((name) => !groupMet(name));
const lines = [
  '## Fleet scale: Prometheus and VictoriaMetrics',
  '',
  `Fleets of ${results.map((r) => `${fmtInt(r.fleet.maps)} maps (${fmtInt(r.fleet.services)} services, ${fmtInt(r.fleet.caches)} lru-caches, ${fmtInt(r.fleet.gpus)} GPUs; ${fmtInt(r.fleet.series)} series, ${fmtInt(r.fleet.samples)} samples)`).join(' and ')}`,
  `over ${HOURS} h of simulated time, a sample every ${STEP_SECONDS} s (bench/fleet/fleet.ts: 1 map in 20 in a resize storm, 1 in 5 growing past`,
  'its hint, the rest quiet; 1 GPU in 25 hot, 1 in 10 idle). Prometheus 2.42 from blocks made by `promtool tsdb create-blocks-from`',
  'openmetrics; VictoriaMetrics 1.79 single node fed through /api/v1/import/prometheus, with vmalert. Both evaluate every file of',
  `provisioning/prometheus/rules every ${EVALUATION_SECONDS} s and look back ${LOOKBACK} for a series' latest sample.`,
  `Datasource figures: the plugin's query() in Node, median of ${RUNS}, response bytes uncompressed. Dashboard bytes: every panel query of the`,
  `dashboard with its variables at All (the number of subjects a panel draws at its default), range panels over 1 h at a 15 s step, uncompressed; each query given at most ${DASHBOARD_QUERY_TIMEOUT}.`,
  '',
  `Loading: ${results.map((r) => `${fmtInt(r.fleet.maps)} maps: written in ${seconds(r.generateMs)} (${fmtBytes(r.fleet.bytes)}), promtool ${seconds(r.backfillMs)} and VictoriaMetrics import ${seconds(r.importMs)} side by side`).join('; ')}.`,
  '',
  "The machine is shared with other work: its 1-minute load average when each store's measurement began and ended was " +
    `${results.map((r) => `${fmtInt(r.fleet.maps)} maps: Prometheus ${loadOf(r.prometheus)}, VictoriaMetrics ${loadOf(r.victoriaMetrics)}`).join('; ')}` +
    ` on ${cpus().length} cores. Every store evaluates its groups concurrently, so a group's time includes waiting for a core.`,
  '',
  "The fleet's samples run past its writing, so that each store measures a live fleet (its rules' 5 m windows full): " +
    'VictoriaMetrics is measured first, Prometheus once the last sample is past. Age of the last sample when the ' +
    `measurement began (negative: still ahead): ${results.map((r) => `${fmtInt(r.fleet.maps)} maps: VictoriaMetrics ${measured(r.victoriaMetrics.fleetAge, (s) => `${s} s`)}, Prometheus ${measured(r.prometheus.fleetAge, (s) => `${s} s`)}`).join('; ')}.`,
  '',
  `### One evaluation of each rule group (${fmtInt(large.fleet.maps)} maps, target under 1 s)`,
  '',
  `Each cell: the median of evaluations ${STARTING_EVALUATIONS + 1} to ${STARTING_EVALUATIONS + MEASURED_EVALUATIONS} (checked against the target), in brackets the slowest of them and evaluation ${STARTING_EVALUATIONS}; ` +
    `the first ${STARTING_EVALUATIONS} create the series the group records, which later evaluations only append to.`,
  '',
  table(
    withoutGrowth(
      [
        'Group',
        'Prometheus',
        'vmalert',
        'VM / Prom',
        `Prometheus growth from ${fmtInt(small.fleet.maps)} maps`,
        'vmalert growth',
        'Target',
      ],
      [4, 5],
    ),
    groupNames.map((name) => {
      const p = groupMs(large, 'prometheus', name);
      const v = groupMs(large, 'victoriaMetrics', name);
      const row = [
        name,
        groupCell(large.prometheus.groups.get(name)),
        groupCell(large.victoriaMetrics.groups.get(name)),
        p && v ? fmtRatio(v / p) : '–',
        growth((r) => groupMs(r, 'prometheus', name) ?? NaN),
        growth((r) => groupMs(r, 'victoriaMetrics', name) ?? NaN),
        verdict(groupMet(name)),
      ];
      return withoutGrowth(row, [4, 5]);
    }),
  ),
  '',
  `### Datasource queries end to end (${fmtInt(large.fleet.maps)} maps)`,
  '',
  table(
    withoutGrowth(
      [
        'Query',
        'Rows',
        'Prometheus',
        'VictoriaMetrics',
        'VM / Prom',
        'Bytes (Prom / VM)',
        `Growth from ${fmtInt(small.fleet.maps)} maps (Prom / VM)`,
        'Target',
      ],
      [6],
    ),
    ['risk', 'riskAll', 'slo', 'capacity'].map((q) =>
      withoutGrowth(
        [
          {
            risk: `Risk map, the worst ${fmtInt(DEFAULT_RISK_ROWS)} of all subjects`,
            riskAll: `Risk map, every subject (Rows ${fmtInt(MAX_RISK_ROWS)})`,
            slo: 'SLO, all services',
            capacity: 'Capacity, all services',
          }[q],
          measured(Math.max(large.prometheus[q].rows, large.victoriaMetrics[q].rows || 0), fmtInt),
          fmtMs(large.prometheus[q].ms),
          fmtMs(large.victoriaMetrics[q].ms),
          measured(large.victoriaMetrics[q].ms / large.prometheus[q].ms, fmtRatio),
          `${measured(large.prometheus[q].bytes, fmtBytes)} / ${measured(large.victoriaMetrics[q].bytes, fmtBytes)}`,
          `${growth((r) => r.prometheus[q].ms)} / ${growth((r) => r.victoriaMetrics[q].ms)}`,
          q === 'risk'
            ? verdict(
                underTarget('prometheus', large.prometheus.risk.ms) &&
                  underTarget('victoriaMetrics', large.victoriaMetrics.risk.ms),
              )
            : '',
        ],
        [6],
      ),
    ),
  ),
  '',
  `### Bytes one load of each dashboard transfers (${fmtInt(large.fleet.maps)} maps)`,
  '',
  table(
    withoutGrowth(
      ['Dashboard', 'Prometheus', 'VictoriaMetrics', `Growth from ${fmtInt(small.fleet.maps)} maps (Prom / VM)`],
      [3],
    ),
    [...new Set([...large.prometheus.dashboards.keys(), ...large.victoriaMetrics.dashboards.keys()])].map((d) =>
      withoutGrowth(
        [
          d,
          measured(large.prometheus.dashboards.get(d), fmtBytes),
          measured(large.victoriaMetrics.dashboards.get(d), fmtBytes),
          `${growth((r) => r.prometheus.dashboards.get(d))} / ${growth((r) => r.victoriaMetrics.dashboards.get(d))}`,
        ],
        [3],
      ),
    ),
  ),
  '',
  `### Where a target is not met at ${fmtInt(large.fleet.maps)} maps, and why`,
  '',
  `- Groups over 1 s on Prometheus: ${missed('prometheus')}. On vmalert: ${missed('victoriaMetrics')}.`,
  ...slowGroups.map((name) => `- ${name}: ${costOf(name)}.`),
  `- Risk map: ${large.prometheus.risk.ms < 1000 && large.victoriaMetrics.risk.ms < 1000 ? 'met on both stores' : `${fmtMs(large.prometheus.risk.ms)} on Prometheus, ${fmtMs(large.victoriaMetrics.risk.ms)} on VictoriaMetrics`}: ` +
    `it ranks every subject's recorded score (\`topk\`) and counts them, then reads the factor scores above 0, entries, hint and growths in range of the ${fmtInt(DEFAULT_RISK_ROWS)} listed. ` +
    `Listing every subject (${fmtMs(large.prometheus.riskAll.ms)} on Prometheus, ${fmtMs(large.victoriaMetrics.riskAll.ms)} on VictoriaMetrics) reads the factor scores above 0 of every subject and the entries, hint and growths of every map, ` +
    "and builds every row in the browser (the growths are an `increase` over the dashboard range of every map's growth counters, the one query that reads raw samples over a range).",
];
writeReport(lines.join('\n'));
