import type { GpuSample } from '../sample.js';
import { readRegularFile } from './read-regular-file.js';
import { GpuSourceError, readFetchedCapture, type GpuReadOptions, type GpuSource } from './source.js';

/**
 * Replays a capture file: a dcgm-exporter scrape, nvidia-smi CSV or nvidia-smi XML, told apart by
 * content. The file is read again on every scrape, so replacing it replays the next capture.
 */
export class FileSource implements GpuSource {
  readonly kind = 'file';

  constructor(readonly path: string) {}

  get description(): string {
    return this.path;
  }

  read(signal: AbortSignal, options: GpuReadOptions = {}): Promise<GpuSample> {
    return readFetchedCapture(this.chunks(signal), this.path, signal, undefined, options);
  }

  private async *chunks(signal: AbortSignal): AsyncGenerator<Uint8Array> {
    try {
      yield* readRegularFile(this.path, signal);
    } catch (error) {
      if (signal.aborted || error instanceof GpuSourceError) throw error;
      throw new GpuSourceError(
        'read_failed',
        `${this.path} could not be read: ${(error as NodeJS.ErrnoException).code ?? (error as Error).message}`,
      );
    }
  }
}
