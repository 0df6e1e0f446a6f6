// Scraping a service's Prometheus endpoint, parsed with the strict exposition parser of @presize/gpu.
import { parseExposition as parseStrictExposition, type ExpositionSample } from '../../gpu/src/exposition-parser.js';

export type Sample = ExpositionSample;

/** The samples of a scrape; a line the exporter wrote out of format fails the test. */
export function parseExposition(text: string): Sample[] {
  const { samples, malformed } = parseStrictExposition(text);
  if (malformed.length > 0) throw new Error(`malformed exposition lines: ${JSON.stringify(malformed)}`);
  return samples;
}

export function select(samples: Sample[], name: string, labels: Record<string, string> = {}): Sample[] {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

export async function scrape(port: number): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  if (!response.ok) throw new Error(`scrape answered ${response.status}`);
  return response.text();
}

/** Scrapes until `ready(samples)` holds (the exporter starts listening asynchronously). */
export async function scrapeUntil(
  port: number,
  ready: (samples: Sample[]) => boolean,
  timeoutMs = 15_000,
): Promise<Sample[]> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const samples = parseExposition(await scrape(port));
      if (ready(samples)) return samples;
      last = new Error('scrape did not yet show what the test waits for');
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw last;
}
