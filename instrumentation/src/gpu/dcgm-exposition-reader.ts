import { parseExposition } from './exposition-parser.js';
import type { GpuSample } from './sample.js';
import { SampleBuilder } from './sample-builder.js';

/** A dcgm-exporter `/metrics` body as a GPU sample: every sample line is one DCGM field value. */
export function readDcgmExposition(text: string): GpuSample {
  const exposition = parseExposition(text);
  const builder = new SampleBuilder();
  for (const { line, reason } of exposition.malformed) builder.malformed(line, reason);
  for (const sample of exposition.samples) builder.add(sample.name, sample.labels, sample.value);
  return builder.build('dcgm-exporter', exposition.types, exposition.help);
}
