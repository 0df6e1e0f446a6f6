// Telemetry stays bounded however many maps and caches a service makes: 100,000 short-lived maps
// and 100,000 short-lived caches, half of them named (each with a name of its own, as a careless
// service names them by request or tenant), half unnamed, in a process wired as register wires it
// and scraped over HTTP through the OpenTelemetry Prometheus exporter. The bound is the one
// documented in docs/telemetry.md ("Bounded series").
import { join } from 'node:path';
import { runGcScript } from '../gc-child.js';

interface Scrape {
  requestIndices: [number, number] | null;
  bytes: number;
  series: number;
  mapSeries: number;
  lruSeries: number;
  mapNames: number;
  cacheNames: number;
  overflow: boolean;
  unnamed: boolean;
}

const BATCH = 25_000;
const MAX_SAMPLES = 25_000;
const MAX_BYTES = 5 * 2 ** 20;

test('100,000 short-lived maps and caches: every scrape stays under 25,000 presize samples and 5 MiB', () => {
  const { scrapes, seriesHeld } = runGcScript<{
    scrapes: { live: Scrape; afterCollection: Scrape }[];
    seriesHeld: number;
  }>(
    join(__dirname, 'scripts', 'bounded-scrape.cjs'),
    [],
    // About 25 s of CPU; a loaded machine stretches it.
    570_000,
  );
  expect(scrapes).toHaveLength(4);
  scrapes.forEach(({ live, afterCollection }, batch) => {
    for (const scrape of [live, afterCollection]) {
      expect(scrape.series).toBeLessThan(MAX_SAMPLES);
      expect(scrape.bytes).toBeLessThan(MAX_BYTES);
      // Default caps: 199 presized and 199 native map names, the overflow and unnamed series.
      expect(scrape.mapNames).toBeLessThanOrEqual(199 + 199 + 2);
      // 99 cache names, the overflow and unnamed series (cache names are capped for the process's life).
      expect(scrape.cacheNames).toBeLessThanOrEqual(99 + 2);
      expect(scrape.overflow).toBe(true);
      expect(scrape.unnamed).toBe(true);
      // The named maps in a scrape are those of its own batch: the series of collected maps were
      // removed after their final export, and their slots taken by new names. After the collection
      // a scrape may name none: maps the collector had already taken before the live scrape were
      // exported a last time there, and no map was made since.
      if (scrape === live) expect(scrape.requestIndices).not.toBeNull();
      if (scrape.requestIndices !== null) {
        expect(scrape.requestIndices[0]).toBeGreaterThanOrEqual(batch * BATCH);
        expect(scrape.requestIndices[1]).toBeLessThan((batch + 1) * BATCH);
      }
    }
    // Not a scrape that grows with the maps made: later batches stay at the size of the first.
    expect(live.series).toBeLessThanOrEqual(scrapes[0]!.live.series);
  });
  // Every map was collected and its series exported a last time: nothing is held.
  expect(seriesHeld).toBe(0);
}, 600_000);
