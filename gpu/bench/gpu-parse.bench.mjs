// GPU capture reading, in two parts.
// 1. Parse time of a 64-GPU dcgm-exporter scrape: Presize's exposition reader beside
//    parse-prometheus-text-format, the most used JavaScript parser of the format, in the same run.
// 2. The longest stall of the event loop while a large capture is read: a 15 MB dcgm-exporter
//    scrape and large nvidia-smi CSV and XML outputs, each read at once (the whole body decoded,
//    then parsed in one call: the peer) and as the sources read it (chunk by chunk, a slice at a
//    time), side by side, both under the default cap on GPU series, as GpuMetrics reads; then the
//    stages after reading, as GpuMetrics runs them, and a scrape, at the default cap and with
//    every series of the capture let through.
// Run from the repository root after `npm run build`: node --expose-gc gpu/bench/gpu-parse.bench.mjs
// (npm run bench does; PRESIZE_BENCH_QUICK=1 for small sizes)
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { performance } from 'node:perf_hooks';
import v8 from 'node:v8';
import { PrometheusSerializer } from '@opentelemetry/exporter-prometheus';
import { MeterProvider } from '@opentelemetry/sdk-metrics';
import { parseExposition } from '../dist/esm/exposition-parser.js';
import { readDcgmExposition } from '../dist/esm/dcgm-exposition-reader.js';
import { readCapture, readCaptureChunks } from '../dist/esm/read-capture.js';
import { GpuMetrics } from '../dist/esm/gpu-metrics.js';
import { DEFAULT_MAX_GPU_SERIES } from '../dist/esm/series-cap.js';
import { FileSource } from '../dist/esm/sources/file-source.js';
import {
  fmtBytes,
  fmtInt,
  fmtMs,
  fmtRatio,
  GcPauses,
  machine,
  median,
  progress,
  quick,
  settle,
  table,
  timedCalls,
  usedBytes,
  writeReport,
} from '../../bench/lib.mjs';

const require = createRequire(import.meta.url);
const peerParse = require('parse-prometheus-text-format');

const QUICK = quick();
const fixtures = new URL('../../../shared/fixtures/gpu/', import.meta.url);
const fixture = (path) => readFileSync(new URL(path, fixtures), 'utf8');
const l4 = fixture('dcgm-scrapes/cncf-kops__nvidia-l4__1gpu__default-counters.prom');
const h100x8 = fixture('dcgm-scrapes/nvidia-aicr__h100-80gb-hbm3__8gpu__k8s-labels__sampled.prom');
const smiCsv = fixture('nvidia-smi/query-gpu-csv/utkuozdemir__nvidia-h100-80gb-hbm3__590.48.01__load.csv');
const smiXmls = [
  'nvidia-smi/xml/telegraf__a100-sxm4-v12.xml',
  'nvidia-smi/xml/telegraf__a10g.xml',
  'nvidia-smi/xml/telegraf__tesla-t4.xml',
].map(fixture);

/** The L4 scrape's 23 fields for `gpus` GPUs, each family's HELP and TYPE once, as dcgm-exporter writes it. */
function l4ScrapeOf(gpus) {
  const out = [];
  let family = [];
  const flush = () => {
    const [help, type, sample] = family;
    if (!sample) return;
    out.push(help, type);
    for (let gpu = 0; gpu < gpus; gpu++) {
      const hex = gpu.toString(16).padStart(2, '0');
      out.push(
        sample
          .replace('gpu="0"', `gpu="${gpu}"`)
          .replace('device="nvidia0"', `device="nvidia${gpu}"`)
          .replace('1343419b1a1c', `1343419b1a${hex}`)
          .replace('00000000:31:00.0', `00000000:${hex}:00.0`),
      );
    }
    family = [];
  };
  for (const line of l4.split('\n')) {
    if (line.startsWith('# HELP')) flush();
    if (line !== '') family.push(line);
  }
  flush();
  return `${out.join('\n')}\n`;
}

/** The 8×H100 scrape (pod labels on every series) repeated for more GPUs, to about `bytes`. */
function h100ScrapeOf(bytes) {
  const lines = h100x8.split('\n').filter((line) => line !== '' && !line.startsWith('#'));
  const out = [];
  let size = 0;
  for (let gpu = 0; size < bytes; gpu++) {
    for (const line of lines) {
      const renamed = line.replace(/gpu="\d+"/, `gpu="${gpu}"`).replace(/nvidia\d+/, `nvidia${gpu}`);
      out.push(renamed);
      size += renamed.length + 1;
    }
  }
  return `${out.join('\n')}\n`;
}

/** The H100 CSV row for more GPUs, each with a UUID of its own, to about `bytes`. */
function smiCsvOf(bytes) {
  const [header, row] = smiCsv.split('\n');
  const rows = [];
  for (let gpu = 0, size = header.length; size < bytes; gpu++) {
    const own = row.replace(/GPU-[0-9a-f-]+/, `GPU-00000000-0000-0000-0000-${String(gpu).padStart(12, '0')}`);
    rows.push(own);
    size += own.length + 1;
  }
  return `${header}\n${rows.join('\n')}\n`;
}

/** The real captures' <gpu> elements in turn, under the A100 capture's header, to about `bytes`. */
function smiXmlOf(bytes) {
  const elements = smiXmls.flatMap((xml) => xml.match(/<gpu[\s>][\s\S]*?<\/gpu>/g));
  const head = smiXmls[0].slice(0, smiXmls[0].search(/<gpu[\s>]/));
  const out = [];
  for (let gpu = 0, size = head.length; size < bytes; gpu++) {
    out.push(elements[gpu % elements.length]);
    size += out.at(-1).length;
  }
  return `${head}${out.join('\n    ')}\n</nvidia_smi_log>\n`;
}

const measure = (name, fn, input, sizes) => ({ name, ...timedCalls(fn, input, sizes) });

const sections = [];
const host = machine();
progress(`load average at the start: ${host.loadAverage}`);

// Part 1: parse time of a 64-GPU scrape.
const GPUS = 64;
const text = l4ScrapeOf(GPUS);
const lines = text.split('\n').filter((line) => line && !line.startsWith('#')).length;
const ours = readDcgmExposition(text);
if (ours.series.length !== lines || ours.malformed.length > 0)
  throw new Error(`reader disagrees with the scrape: ${ours.series.length} of ${lines}`);
const peerSamples = peerParse(text).reduce((sum, family) => sum + family.metrics.length, 0);
if (peerSamples !== lines) throw new Error(`peer disagrees with the scrape: ${peerSamples} of ${lines}`);
const sizes = QUICK ? { warmup: 30, runs: 200 } : { warmup: 300, runs: 2000 };
progress('parse time of a 64-GPU scrape');
const results = [
  measure('`readDcgmExposition` (parse + blank/range filter)', readDcgmExposition, text, sizes),
  measure('`parseExposition` (parse only)', parseExposition, text, sizes),
  measure('`parse-prometheus-text-format` 1.1.1', peerParse, text, sizes),
];
const peer = results[2];
sections.push(
  `${GPUS} GPUs, ${lines} samples, ${fmtBytes(text.length)}; target: a median under 2 ms for the full read: ${results[0].median < 2 ? 'met' : '**missed**'}.`,
  '',
  table(
    ['', 'median', 'p95', 'peer ÷ this'],
    results.map((r) => [r.name, fmtMs(r.median), fmtMs(r.p95), fmtRatio(peer.median / r.median)]),
  ),
);

// Part 2: stalls of the event loop.

/**
 * Runs `work` with a ticker on the event loop (setImmediate, so a turn is taken as soon as the loop
 * is free) and a GC observer: the longest gap between two turns, the CPU time the process used
 * within it (far less than the gap: the process was waiting for a core), the longest GC pause, the
 * longest gap less the GC pauses that began within it, and the time. Besides, what the machine's
 * load does not change: the most one young-generation collection (scavenge) copied, the objects
 * that survived it, on which its pause depends.
 */
const cpuMs = () => {
  const { user, system } = process.cpuUsage();
  return (user + system) / 1000;
};
async function stallDuring(work, gc) {
  let last = performance.now();
  let lastCpu = cpuMs();
  const gaps = [];
  let running = true;
  const tick = () => {
    const now = performance.now();
    const cpu = cpuMs();
    if (now - last > 1) gaps.push([last, now, cpu - lastCpu]);
    last = now;
    lastCpu = cpu;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  const profiler = new v8.GCProfiler();
  profiler.start();
  const started = performance.now();
  await work();
  const ended = performance.now();
  running = false;
  const survived = (profiler.stop()?.statistics ?? [])
    .filter((one) => one.gcType === 'Scavenge')
    .map(({ beforeGC, afterGC }) => {
      const used = (stats, name) => stats.heapSpaceStatistics.find((s) => s.spaceName === name)?.spaceUsedSize ?? 0;
      // Copied within the young generation, and promoted out of it.
      return used(afterGC, 'new_space') + used(afterGC, 'old_space') - used(beforeGC, 'old_space');
    });
  await new Promise((resolve) => setImmediate(resolve));
  const pauses = await gc.between(started - 1, ended + 1);
  const withoutGc = gaps.map(([from, to]) =>
    pauses.filter((p) => p.start >= from && p.start < to).reduce((left, p) => left - p.duration, to - from),
  );
  const longestGap = gaps.reduce((a, b) => (b[1] - b[0] > a[1] - a[0] ? b : a), [0, 0, 0]);
  return {
    longest: longestGap[1] - longestGap[0],
    cpu: longestGap[2],
    withoutGc: Math.max(0, ...withoutGc),
    total: ended - started,
    gc: Math.max(0, ...pauses.map((p) => p.duration)),
    survived: Math.max(0, ...survived),
  };
}

const ROUNDS = QUICK ? 2 : 5;
const gc = new GcPauses();
const settleDown = () => new Promise((resolve) => setTimeout(resolve, 50));

/** The longest gap of an idle event loop over `ms`: what the machine's scheduling alone costs now. */
async function idleStall(ms) {
  return stallDuring(() => new Promise((resolve) => setTimeout(resolve, ms)), gc);
}

/**
 * The heap a read's sample keeps once read (the more it keeps, the more each young-generation
 * collection of the next read copies): heap in use after the read less before it, both after full
 * collections. A small capture's figure is within the noise of what else the run frees meanwhile.
 */
async function heapKeptBy(read) {
  settle();
  const before = usedBytes();
  const sample = await read();
  settle();
  return [sample.series.length, usedBytes() - before];
}

/** `text` as the 64 KiB chunks a file, a response body or a pipe delivers. */
function chunksOf(capture) {
  const bytes = Buffer.from(capture);
  const chunks = [];
  for (let at = 0; at < bytes.length; at += 64 * 1024) chunks.push(bytes.subarray(at, at + 64 * 1024));
  return chunks;
}

const never = new AbortController().signal;
const MB = 1024 * 1024;
const capped = { maxSeries: DEFAULT_MAX_GPU_SERIES };
const captures = [
  ['dcgm-exporter scrape (8×H100 with pod labels, repeated)', 'dcgm-exporter', h100ScrapeOf((QUICK ? 2 : 15) * MB)],
  ['nvidia-smi CSV (H100 row, repeated)', 'nvidia-smi-csv', smiCsvOf((QUICK ? 1 : 8) * MB)],
  ['nvidia-smi XML (real <gpu> elements, repeated)', 'nvidia-smi-xml', smiXmlOf((QUICK ? 1 : 8) * MB)],
];
const stallRows = [];
const idle = [];
for (const [name, format, capture] of captures) {
  const chunks = chunksOf(capture);
  const runs = { atOnce: [], sliced: [] };
  let series = 0;
  let read = 0;
  for (let round = 0; round < ROUNDS; round++) {
    progress(`${name}: round ${round + 1} of ${ROUNDS}`);
    await settleDown();
    idle.push((await idleStall(200)).longest);
    await settleDown();
    runs.atOnce.push(
      await stallDuring(async () => {
        const sample = readCapture(Buffer.concat(chunks).toString('utf8'), format, capped);
        series = sample.series.length;
        read = series + (sample.seriesLeftOut?.count ?? 0);
      }, gc),
    );
    await settleDown();
    runs.sliced.push(await stallDuring(() => readCaptureChunks(chunks, never, format, capped), gc));
  }
  const m = (runsOf, key) => median(runsOf.map((r) => r[key]));
  const [atOnce, sliced] = [runs.atOnce, runs.sliced].map((r) => ({
    longest: m(r, 'longest'),
    withoutGc: m(r, 'withoutGc'),
    cpu: m(r, 'cpu'),
    total: m(r, 'total'),
    gc: m(r, 'gc'),
    survived: m(r, 'survived'),
  }));
  const [keptSeries, keptBytes] = await heapKeptBy(() => readCaptureChunks(chunks, never, format, capped));
  if (keptSeries !== series) throw new Error(`sliced read disagrees: ${keptSeries} of ${series}`);
  stallRows.push([
    `${name}, ${fmtBytes(capture.length)}, ${fmtInt(read)} series read, ${fmtInt(series)} kept`,
    fmtMs(atOnce.total),
    fmtMs(sliced.total),
    fmtMs(atOnce.longest),
    fmtMs(sliced.longest),
    fmtMs(sliced.cpu),
    fmtRatio(atOnce.longest / sliced.longest),
    fmtMs(sliced.gc),
    fmtBytes(sliced.survived),
    fmtMs(sliced.withoutGc),
    fmtBytes(keptBytes),
  ]);
}

// The stages after reading and a collection, as GpuMetrics runs them on the 15 MB scrape read
// from a file; the OpenTelemetry Prometheus exporter then serializes what collect() hands out.
const dir = mkdtempSync(join(tmpdir(), 'presize-gpu-bench-'));
const pipelineRows = [];
try {
  const file = join(dir, 'capture.prom');
  writeFileSync(file, captures[0][2]);
  // At the default cap on GPU series, and with a cap that lets every series of the capture through.
  const serializationPerSeries = [];
  for (const [cap, maxSeries] of [
    [`default maxSeries (${fmtInt(DEFAULT_MAX_GPU_SERIES)})`, undefined],
    ['maxSeries above the capture', 1_000_000],
  ]) {
    const gpu = new GpuMetrics({
      source: new FileSource(file),
      timeoutMs: 600_000,
      meterProvider: new MeterProvider(),
      ...(maxSeries === undefined ? {} : { maxSeries }),
    });
    const scrapes = [];
    const collects = [];
    const serializations = [];
    let exported = 0;
    for (let round = 0; round < ROUNDS; round++) {
      progress(`GpuMetrics scrape of the file, ${cap}: round ${round + 1} of ${ROUNDS}`);
      await settleDown();
      scrapes.push(
        await stallDuring(async () => {
          const result = await gpu.scrape();
          if (!result.ok) throw new Error(`scrape failed: ${result.message}`);
        }, gc),
      );
      let collected;
      collects.push(
        await stallDuring(async () => {
          collected = await gpu.collect();
        }, gc),
      );
      exported = collected.resourceMetrics.scopeMetrics
        .flatMap((scope) => scope.metrics)
        .reduce((sum, data) => sum + data.dataPoints.length, 0);
      const started = performance.now();
      new PrometheusSerializer().serialize(collected.resourceMetrics);
      serializations.push(performance.now() - started);
    }
    await gpu.stop();
    const serialization = median(serializations);
    serializationPerSeries.push(serialization / Math.max(1, exported));
    pipelineRows.push(
      [
        `${cap}: \`GpuMetrics.scrape()\` of the ${fmtBytes(captures[0][2].length)} file: read, cap, naming, counter starts, metric data`,
        fmtMs(median(scrapes.map((r) => r.total))),
        fmtMs(median(scrapes.map((r) => r.longest))),
        fmtMs(median(scrapes.map((r) => r.cpu))),
        fmtMs(median(scrapes.map((r) => r.gc))),
        fmtBytes(median(scrapes.map((r) => r.survived))),
        fmtMs(median(scrapes.map((r) => r.withoutGc))),
      ],
      [
        `${cap}: \`GpuMetrics.collect()\`, the metric data made when read`,
        fmtMs(median(collects.map((r) => r.total))),
        fmtMs(median(collects.map((r) => r.longest))),
        '',
        '',
        '',
        '',
      ],
      [
        `${cap}: the exporter's serialization of the ${fmtInt(exported)} series exported (\`PrometheusSerializer\`, one call)`,
        fmtMs(serialization),
        fmtMs(serialization),
        '',
        '',
        '',
        '',
      ],
    );
  }
  sections.push(
    '',
    `Event loop while large captures are read (median of ${ROUNDS} rounds; load average ${host.loadAverage} at the start, ${machine().loadAverage} at the end).`,
    `An idle event loop on this machine, meanwhile, went up to ${fmtMs(median(idle))} between turns (median of the idle runs' longest gap; max ${fmtMs(Math.max(...idle))}).`,
    `At once: the whole body decoded to one string, then read in one call. Sliced: as the sources read it, in 64 KiB chunks, a slice at a time. Both keep the first ${fmtInt(DEFAULT_MAX_GPU_SERIES)} series (the default maxSeries), as GpuMetrics reads.`,
    '',
    table(
      [
        'capture',
        'time at once',
        'time sliced',
        'longest stall at once',
        'longest stall sliced',
        'process CPU within it',
        'at once ÷ sliced',
        'longest GC pause, sliced',
        'most one scavenge copied, sliced',
        'longest stall sliced, less GC',
        'heap kept by the sample',
      ],
      stallRows,
    ),
    '',
    table(
      [
        'stage',
        'time',
        'longest stall',
        'process CPU within it',
        'longest GC pause',
        'most one scavenge copied',
        'longest stall less GC',
      ],
      pipelineRows,
    ),
    '',
    `Serialization per series: ${serializationPerSeries.map(fmtMs).join(', ')}.`,
  );
} finally {
  rmSync(dir, { recursive: true, force: true });
  gc.stop();
}

writeReport(['## GPU capture reading (`gpu/bench/gpu-parse.bench.mjs`)', '', ...sections].join('\n'));
