import type { CaptureReader, CaptureReadOptions } from './capture-reader.js';
import { readWhole } from './capture-reader.js';
import { isDcgmFieldName } from './dcgm-fields.js';
import { ExpositionParser } from './exposition-parser.js';
import type { GpuSample } from './sample.js';
import { SampleBuilder } from './sample-builder.js';

/**
 * A dcgm-exporter `/metrics` body as a GPU sample: every sample line of a DCGM field is one value;
 * the samples of other metrics are left out and counted as dropped (`not_dcgm_field`). Each
 * sample goes into the GPU sample as soon as its line is read.
 */
export class DcgmExpositionReader implements CaptureReader {
  private readonly builder: SampleBuilder;
  private readonly parser: ExpositionParser;

  constructor(options: CaptureReadOptions = {}) {
    const builder = (this.builder = new SampleBuilder(options.maxSeries));
    // A label set is made into the sample's own copy once, when first parsed, and remembered
    // unless none of its series can be kept under the cap.
    this.parser = new ExpositionParser(
      (sample) => {
        if (isDcgmFieldName(sample.name)) builder.addMade(sample.name, sample.labels, sample.value);
        else builder.skip(sample.name, 'not_dcgm_field', sample.value);
      },
      { make: (labels) => builder.labelSet(labels), remember: (labels) => builder.wants(labels) },
    );
  }

  write(piece: string): void {
    this.parser.write(piece);
  }

  end(): void {
    this.parser.end();
  }

  step(): boolean {
    return this.parser.step();
  }

  result(): GpuSample {
    const { malformed, types, help } = this.parser.exposition;
    for (const { line, reason } of malformed) this.builder.malformed(line, reason);
    return this.builder.build('dcgm-exporter', types, help);
  }
}

export function readDcgmExposition(text: string, options: CaptureReadOptions = {}): GpuSample {
  return readWhole(new DcgmExpositionReader(options), text);
}
