// Parse time of a 64-GPU dcgm-exporter scrape: Presize's exposition reader beside
// parse-prometheus-text-format, the most used JavaScript parser of the format, in the same run.
// Then the longest stall of the event loop while a 15 MB capture is read at once and a slice at a
// time (what the sources do), side by side.
// Run from the repository root after `npm run build`: node gpu/bench/gpu-parse.bench.mjs
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { performance } from 'node:perf_hooks';
import { median, timedCalls } from '../../bench/lib.mjs';
import { parseExposition } from '../dist/esm/exposition-parser.js';
import { readDcgmExposition } from '../dist/esm/dcgm-exposition-reader.js';
import { readCapture, readCaptureInSlices } from '../dist/esm/read-capture.js';

const require = createRequire(import.meta.url);
const peerParse = require('parse-prometheus-text-format');

const GPUS = 64;
const fixtures = new URL('../../../shared/fixtures/gpu/', import.meta.url);
const l4 = readFileSync(new URL('dcgm-scrapes/cncf-kops__nvidia-l4__1gpu__default-counters.prom', fixtures), 'utf8');

/** The L4 scrape's 23 fields for 64 GPUs, each family's HELP and TYPE once, as dcgm-exporter writes it. */
function scrapeOf(gpus) {
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

const measure = (name, fn, input) => ({ name, ...timedCalls(fn, input, { warmup: 300, runs: 2000 }) });

const text = scrapeOf(GPUS);
const lines = text.split('\n').filter((line) => line && !line.startsWith('#')).length;
const ours = readDcgmExposition(text);
if (ours.series.length !== lines || ours.malformed.length > 0)
  throw new Error(`reader disagrees with the scrape: ${ours.series.length} of ${lines}`);
const peerSamples = peerParse(text).reduce((sum, family) => sum + family.metrics.length, 0);
if (peerSamples !== lines) throw new Error(`peer disagrees with the scrape: ${peerSamples} of ${lines}`);

const results = [
  measure('presize readDcgmExposition (parse + sentinel filter)', readDcgmExposition, text),
  measure('presize parseExposition (parse only)', parseExposition, text),
  measure('parse-prometheus-text-format 1.1.1', peerParse, text),
];
const peer = results[2];
console.log(
  `GPU scrape parse: ${GPUS} GPUs, ${lines} samples, ${(text.length / 1024).toFixed(0)} KiB, Node ${process.version}`,
);
for (const result of results) {
  console.log(
    `  ${result.name.padEnd(56)} median ${result.median.toFixed(3)} ms  p95 ${result.p95.toFixed(3)} ms  ` +
      (result === peer ? '' : `peer/this ${(peer.median / result.median).toFixed(2)}x`),
  );
}
console.log(`  target: median under 2 ms for the full read: ${results[0].median < 2 ? 'met' : 'NOT met'}`);

/** The longest gap between two turns of the event loop while `work` runs, and how long it ran. */
async function stallDuring(work) {
  let last = performance.now();
  let longest = 0;
  let running = true;
  const tick = () => {
    const now = performance.now();
    longest = Math.max(longest, now - last);
    last = now;
    if (running) setImmediate(tick);
  };
  setImmediate(tick);
  const started = performance.now();
  await work();
  const total = performance.now() - started;
  running = false;
  await new Promise((resolve) => setImmediate(resolve));
  return { longest: Math.max(longest, performance.now() - last), total };
}

const large = scrapeOf(Math.ceil((15 * 1024 * 1024) / text.length) * GPUS);
const stalls = { atOnce: [], sliced: [] };
for (let round = 0; round < 5; round++) {
  stalls.atOnce.push(await stallDuring(async () => readCapture(large)));
  stalls.sliced.push(await stallDuring(() => readCaptureInSlices(large)));
}
const figures = Object.fromEntries(
  Object.entries(stalls).map(([name, runs]) => [
    name,
    { longest: median(runs.map((r) => r.longest)), total: median(runs.map((r) => r.total)) },
  ]),
);
console.log(`Event loop while a ${(large.length / 2 ** 20).toFixed(1)} MiB capture is read (median of 5):`);
console.log(
  `  read at once (readCapture)           longest stall ${figures.atOnce.longest.toFixed(1)} ms  total ${figures.atOnce.total.toFixed(0)} ms`,
);
console.log(
  `  read in slices (readCaptureInSlices) longest stall ${figures.sliced.longest.toFixed(1)} ms  total ${figures.sliced.total.toFixed(0)} ms`,
);
console.log(
  `  longest stall at once/sliced ${(figures.atOnce.longest / figures.sliced.longest).toFixed(0)}x; total time sliced/at once ${(figures.sliced.total / figures.atOnce.total).toFixed(2)}x`,
);
