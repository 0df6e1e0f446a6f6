import type { GpuSample } from './sample.js';

/** What an nvidia-smi capture does not say and the reader is told. */
export interface SmiReadOptions {
  /** Value of the `Hostname` label; nvidia-smi does not print the host. */
  hostname?: string;
}

/** How a capture is read, whatever its format. */
export interface CaptureReadOptions extends SmiReadOptions {
  /**
   * The cap on GPU series: the first `maxSeries` in the cap's order are kept, the rest counted in
   * the sample's `seriesLeftOut` and never made (see SeriesSelection). No cap by default.
   */
  maxSeries?: number;
}

/**
 * A reader of one capture format, given the capture's text a piece at a time. Writing only stores
 * the piece; the work is done in `step`s of bounded size, so the caller decides when the event
 * loop gets a turn (ChunkedCaptureReader gives one after every step).
 */
export interface CaptureReader {
  write(piece: string): void;
  /** No more text comes. */
  end(): void;
  /** Does one bounded step of the work; false when none is left until more text is written. */
  step(): boolean;
  /** What was read; once ended and stepped until false. */
  result(): GpuSample;
}

/** Reads a whole capture at once. */
export function readWhole(reader: CaptureReader, text: string): GpuSample {
  reader.write(text);
  reader.end();
  while (reader.step());
  return reader.result();
}
