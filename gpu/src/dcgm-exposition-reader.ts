import { isDcgmFieldName } from './dcgm-fields.js';
import { forEachInSlices, nextTurn, SLICE_CHARS, SLICE_ITEMS } from './event-loop-turn.js';
import { ExpositionParser, parseExposition, type Exposition, type ExpositionSample } from './exposition-parser.js';
import type { GpuSample } from './sample.js';
import { SampleBuilder } from './sample-builder.js';

function addSample(builder: SampleBuilder, sample: ExpositionSample): void {
  if (isDcgmFieldName(sample.name)) builder.add(sample.name, sample.labels, sample.value);
  else builder.skip(sample.name, 'not_dcgm_field', sample.value);
}

function startSample(exposition: Exposition): SampleBuilder {
  const builder = new SampleBuilder();
  for (const { line, reason } of exposition.malformed) builder.malformed(line, reason);
  return builder;
}

/**
 * A dcgm-exporter `/metrics` body as a GPU sample: every sample line of a DCGM field is one value;
 * the samples of other metrics are left out and counted as dropped (`not_dcgm_field`).
 */
export function readDcgmExposition(text: string): GpuSample {
  const exposition = parseExposition(text);
  const builder = startSample(exposition);
  for (const sample of exposition.samples) addSample(builder, sample);
  return builder.build('dcgm-exporter', exposition.types, exposition.help);
}

/** readDcgmExposition a slice at a time, giving the event loop a turn between slices. */
export async function readDcgmExpositionInSlices(text: string): Promise<GpuSample> {
  const parser = new ExpositionParser(text);
  while (!parser.done) {
    parser.step(SLICE_CHARS, SLICE_ITEMS);
    await nextTurn();
  }
  const { exposition } = parser;
  const builder = startSample(exposition);
  await forEachInSlices(exposition.samples, (sample) => addSample(builder, sample));
  return builder.build('dcgm-exporter', exposition.types, exposition.help);
}
