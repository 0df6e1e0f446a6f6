import { isDcgmFieldName } from './dcgm-fields.js';
import { parseExposition } from './exposition-parser.js';
import type { GpuSample } from './sample.js';
import { SampleBuilder } from './sample-builder.js';

/**
 * A dcgm-exporter `/metrics` body as a GPU sample: every sample line of a DCGM field is one value;
 * the samples of other metrics are left out and counted as dropped (`not_dcgm_field`).
 */
export function readDcgmExposition(text: string): GpuSample {
  const exposition = parseExposition(text);
  const builder = new SampleBuilder();
  for (const { line, reason } of exposition.malformed) builder.malformed(line, reason);
  for (const sample of exposition.samples) {
    if (isDcgmFieldName(sample.name)) builder.add(sample.name, sample.labels, sample.value);
    else builder.skip(sample.name, 'not_dcgm_field', sample.value);
  }
  return builder.build('dcgm-exporter', exposition.types, exposition.help);
}
