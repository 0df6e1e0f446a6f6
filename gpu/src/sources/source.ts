import { TooManyMalformedLinesError } from '../exposition-parser.js';
import { readCaptureChunks, UnrecognizedCaptureError } from '../read-capture.js';
import type { GpuCaptureFormat, GpuSample } from '../sample.js';
import type { CaptureReadOptions } from '../capture-reader.js';
import { SmiXmlError } from '../smi-xml-reader.js';

export type GpuSourceKind = 'dcgm-exporter' | 'nvidia-smi' | 'file' | 'simulated';

/** Why a read of a source gave no values; the `error.type` of `presize.gpu.scrape.errors`. */
export type GpuScrapeErrorReason =
  | 'unreachable'
  | 'timeout'
  | 'http_status'
  | 'body_too_large'
  | 'garbage'
  | 'empty'
  | 'unrecognized_format'
  | 'spawn_failed'
  | 'exit_status'
  | 'read_failed'
  | 'unparseable'
  | 'source_failed';

export class GpuSourceError extends Error {
  constructor(
    readonly reason: GpuScrapeErrorReason,
    message: string,
  ) {
    super(message);
    this.name = 'GpuSourceError';
  }
}

/** What GpuMetrics asks of a read besides its signal. */
export interface GpuReadOptions {
  /**
   * The cap on GPU series GpuMetrics applies (its `maxSeries`). A source that applies it while
   * reading never makes the series past it, and reports them in the sample's `seriesLeftOut`; a
   * source that ignores it has the cap applied to what it returns.
   */
  readonly maxSeries?: number;
}

/**
 * Something that yields GPU samples: one `read` per scrape, cancelled through `signal`. A read
 * still pending when the signal aborts (the timeout, or `stop()`) is abandoned and counts as
 * failed, whether or not the source listens to the signal.
 */
export interface GpuSource {
  readonly kind: GpuSourceKind;
  /** Where it reads from, for log messages: a URL, a path, a binary. */
  readonly description: string;
  read(signal: AbortSignal, options?: GpuReadOptions): Promise<GpuSample>;
}

/** Largest capture read, so a runaway exporter or file cannot take the host's memory. */
export const MAX_CAPTURE_BYTES = 16 * 1024 * 1024;

/**
 * A read that produced no GPU value at all is a failure, not an empty success. Values dropped as
 * blank or out of range still count as read; samples of other metrics do not, so an address that
 * serves some other exporter fails rather than passing for a node without GPUs.
 */
export function requireValues(sample: GpuSample, origin: string): GpuSample {
  if (sample.series.length > 0 || sample.dropped.some((dropped) => dropped.reason !== 'not_dcgm_field')) return sample;
  if (sample.dropped.length > 0) {
    throw new GpuSourceError(
      'empty',
      `${origin} gave no DCGM field, only ${sample.dropped.length} sample(s) of other metrics, e.g. ${sample.dropped[0]?.field}`,
    );
  }
  if (sample.malformed.length > 0) {
    const first = sample.malformed[0];
    throw new GpuSourceError(
      'garbage',
      `${origin} gave no readable value: ${sample.malformed.length} malformed line(s), first at line ${first?.line}: ${first?.reason}`,
    );
  }
  throw new GpuSourceError('empty', `${origin} gave no value`);
}

/**
 * Reads a capture a source fetches, chunk by chunk as it comes, a slice at a time (see
 * ChunkedCaptureReader), turning every way it can be unreadable into a GpuSourceError.
 */
export async function readFetchedCapture(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  origin: string,
  signal: AbortSignal,
  format?: GpuCaptureFormat,
  options?: CaptureReadOptions,
): Promise<GpuSample> {
  try {
    return requireValues(await readCaptureChunks(chunks, signal, format, options), origin);
  } catch (error) {
    if (error instanceof UnrecognizedCaptureError)
      throw new GpuSourceError('unrecognized_format', `${origin}: ${error.message}`);
    if (error instanceof SmiXmlError) throw new GpuSourceError('unparseable', `${origin}: ${error.message}`);
    if (error instanceof TooManyMalformedLinesError)
      throw new GpuSourceError('garbage', `${origin}: ${error.message}; the capture is not read`);
    throw error;
  }
}
