import { readDcgmExposition } from '../dcgm-exposition-reader.js';
import type { GpuSample } from '../sample.js';
import { GpuSourceError, MAX_CAPTURE_BYTES, requireValues, type GpuSource } from './source.js';

/** Scrapes a dcgm-exporter `/metrics` endpoint over HTTP. */
export class DcgmExporterSource implements GpuSource {
  readonly kind = 'dcgm-exporter';

  constructor(readonly url: string) {
    const parsed = new URL(url);
    if (parsed.protocol !== 'http:' && parsed.protocol !== 'https:') {
      throw new Error(`dcgm-exporter URL must be http or https, got ${url}`);
    }
  }

  get description(): string {
    return this.url;
  }

  async read(signal: AbortSignal): Promise<GpuSample> {
    let response: Response;
    try {
      response = await fetch(this.url, { signal, headers: { accept: 'text/plain;version=0.0.4' } });
    } catch (error) {
      if (signal.aborted) throw error;
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new GpuSourceError('unreachable', `${this.url} unreachable: ${cause?.code ?? cause?.message ?? (error as Error).message}`);
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw new GpuSourceError('http_status', `${this.url} answered HTTP ${response.status} ${response.statusText}`);
    }
    const body = await readBounded(response, this.url);
    return requireValues(readDcgmExposition(body), this.url);
  }
}

async function readBounded(response: Response, url: string): Promise<string> {
  const reader = response.body?.getReader();
  if (!reader) return '';
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > MAX_CAPTURE_BYTES) {
      await reader.cancel().catch(() => undefined);
      throw new GpuSourceError('body_too_large', `${url} sent more than ${MAX_CAPTURE_BYTES} bytes`);
    }
    chunks.push(value);
  }
  return Buffer.concat(chunks).toString('utf8');
}
