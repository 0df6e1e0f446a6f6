import { StringDecoder } from 'node:string_decoder';
import { readWhole, type CaptureReader, type CaptureReadOptions } from './capture-reader.js';
import { DcgmExpositionReader } from './dcgm-exposition-reader.js';
import { nextTurn, SLICE_CHARS } from './event-loop-turn.js';
import { detectCaptureFormat } from './format-detection.js';
import type { GpuCaptureFormat, GpuSample } from './sample.js';
import { SmiCsvReader } from './smi-csv-reader.js';
import { SmiXmlReader } from './smi-xml-reader.js';

/** A capture none of the readers recognises. */
export class UnrecognizedCaptureError extends Error {}

/** Text a capture's format is told from: its first meaningful lines are in there. */
const DETECTION_CHARS = 64 * 1024;

function readerFor(text: string, format: GpuCaptureFormat | undefined, options: CaptureReadOptions): CaptureReader {
  const detected = format ?? detectCaptureFormat(text);
  switch (detected) {
    case 'dcgm-exporter':
      return new DcgmExpositionReader(options);
    case 'nvidia-smi-csv':
      return new SmiCsvReader(options);
    case 'nvidia-smi-xml':
      return new SmiXmlReader(options);
    case undefined:
      throw new UnrecognizedCaptureError(
        `capture is neither a dcgm-exporter scrape, nvidia-smi CSV nor nvidia-smi XML (starts with ${JSON.stringify(text.trimStart().slice(0, 40))})`,
      );
  }
}

/** Reads a capture in the given format, or in the format detected from its content, at once. */
export function readCapture(text: string, format?: GpuCaptureFormat, options: CaptureReadOptions = {}): GpuSample {
  return readWhole(readerFor(text.slice(0, DETECTION_CHARS), format, options), text);
}

/**
 * readCapture for bytes that come a chunk at a time, without ever holding the event loop long:
 * each chunk is decoded SLICE_CHARS bytes at a time (a UTF-8 character cut between chunks is
 * joined), and every step of the reader is followed by a turn of the event loop. The whole
 * capture is never made into one string. Once `signal` aborts, the next slice throws its reason
 * instead of reading on.
 */
export class ChunkedCaptureReader {
  private readonly decoder = new StringDecoder('utf8');
  private reader: CaptureReader | undefined;
  /** Text kept until the format can be told, when it is not given. */
  private head = '';

  constructor(
    private readonly signal: AbortSignal,
    private readonly format?: GpuCaptureFormat,
    private readonly options: CaptureReadOptions = {},
  ) {}

  async write(chunk: Uint8Array): Promise<void> {
    for (let from = 0; from < chunk.byteLength; from += SLICE_CHARS) {
      await this.feed(this.decoder.write(chunk.subarray(from, from + SLICE_CHARS)));
    }
  }

  async end(): Promise<GpuSample> {
    await this.feed(this.decoder.end(), true);
    const reader = this.reader as CaptureReader;
    reader.end();
    await this.steps(reader);
    return reader.result();
  }

  private async feed(text: string, last = false): Promise<void> {
    let reader = this.reader;
    if (!reader) {
      this.head += text;
      if (this.format === undefined && this.head.length < DETECTION_CHARS && !last) return;
      reader = this.reader = readerFor(this.head.slice(0, DETECTION_CHARS), this.format, this.options);
      text = this.head;
      this.head = '';
    }
    for (let from = 0; from < text.length; from += SLICE_CHARS) {
      reader.write(text.slice(from, from + SLICE_CHARS));
      await this.steps(reader);
    }
  }

  private async steps(reader: CaptureReader): Promise<void> {
    for (;;) {
      this.signal.throwIfAborted();
      const more = reader.step();
      await nextTurn();
      if (!more) return;
    }
  }
}

/** Reads the chunks of a capture with a ChunkedCaptureReader. */
export async function readCaptureChunks(
  chunks: AsyncIterable<Uint8Array> | Iterable<Uint8Array>,
  signal: AbortSignal,
  format?: GpuCaptureFormat,
  options: CaptureReadOptions = {},
): Promise<GpuSample> {
  const reader = new ChunkedCaptureReader(signal, format, options);
  for await (const chunk of chunks) await reader.write(chunk);
  return reader.end();
}
