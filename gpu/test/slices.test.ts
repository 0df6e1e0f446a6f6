// A large capture is read a slice at a time: the event loop turns between slices, so the host's
// own work never waits for a whole capture. Asserted by counting turns, not by timing them (the
// delays are measured in bench/gpu-parse.bench.mjs).
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SLICE_CHARS, SLICE_ITEMS } from '../src/event-loop-turn.js';
import { readCapture, readCaptureInSlices } from '../src/read-capture.js';
import { FileSource } from '../src/sources/file-source.js';
import { fixturePath, SCRAPES } from './fixtures.js';
import { harness } from './otel-harness.js';

/** A valid dcgm-exporter scrape of about `bytes`: the H100 capture repeated for more and more GPUs. */
function largeScrape(bytes: number): string {
  const lines = readFileSync(fixturePath(SCRAPES.h100x8), 'utf8')
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'));
  const out: string[] = [];
  let size = 0;
  for (let gpu = 0; size < bytes; gpu++) {
    for (const line of lines) {
      const renamed = line.replace(/gpu="\d+"/, `gpu="${gpu}"`);
      out.push(renamed);
      size += renamed.length + 1;
    }
  }
  return `${out.join('\n')}\n`;
}

/** Counts the turns of the event loop while `work` runs. */
async function turnsDuring<T>(work: () => Promise<T>): Promise<{ result: T; turns: number }> {
  let turns = 0;
  let running = true;
  const turn = (): void => {
    if (!running) return;
    turns++;
    setImmediate(turn);
  };
  setImmediate(turn);
  const result = await work();
  running = false;
  return { result, turns };
}

const text = largeScrape(4 * 1024 * 1024);

describe('a large capture', () => {
  it('is read with the event loop turning at least once per slice, to the same sample as a read at once', async () => {
    const { result, turns } = await turnsDuring(() => readCaptureInSlices(text));
    expect(turns).toBeGreaterThanOrEqual(Math.floor(text.length / SLICE_CHARS));
    const atOnce = readCapture(text);
    expect(result.series).toEqual(atOnce.series);
    expect(result.series.length).toBeGreaterThan(10_000);
  });

  it('is made into metric data when read, a slice at a time, and a collection only hands that data out', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'presize-slices-'));
    try {
      const file = join(dir, 'large.prom');
      writeFileSync(file, text);
      const h = harness({ source: new FileSource(file), timeoutMs: 60_000 });
      const { result, turns } = await turnsDuring(() => h.gpu.scrape());
      expect(result.ok).toBe(true);
      const series = result.ok ? result.sample.series.length : 0;
      // Parsing, then naming, then metric data: each gives the loop a turn every slice.
      expect(turns).toBeGreaterThanOrEqual(
        Math.floor(text.length / SLICE_CHARS) + Math.floor((2 * series) / SLICE_ITEMS),
      );
      const first = await h.gpu.collect();
      const second = await h.gpu.collect();
      expect(second.resourceMetrics.scopeMetrics[0]?.metrics).toBe(first.resourceMetrics.scopeMetrics[0]?.metrics);
      await h.shutdown();
    } finally {
      rmSync(dir, { recursive: true, force: true });
    }
  });
});
