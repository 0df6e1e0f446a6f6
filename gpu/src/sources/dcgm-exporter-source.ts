import { headerProblem } from '../header-list.js';
import { hasCredentials, redactUrl } from '../redact-url.js';
import type { GpuSample } from '../sample.js';
import {
  GpuSourceError,
  MAX_CAPTURE_BYTES,
  readFetchedCapture,
  type GpuReadOptions,
  type GpuSource,
} from './source.js';

/** A dcgm-exporter URL that cannot be used; `detail` says why, naming the URL without its secrets. */
export class DcgmExporterUrlError extends Error {
  constructor(readonly detail: string) {
    super(`dcgm-exporter URL ${detail}`);
    this.name = 'DcgmExporterUrlError';
  }
}

export interface DcgmExporterSourceOptions {
  /** Sent with every request, such as `authorization`; never logged nor exported. */
  headers?: Readonly<Record<string, string>>;
}

/**
 * Scrapes a dcgm-exporter `/metrics` endpoint over HTTP. The URL is shown (in log lines and the
 * `presize.gpu.source.target` attribute) without its query string; a URL with a user or password
 * is refused, since credentials belong in `headers`.
 */
export class DcgmExporterSource implements GpuSource {
  readonly kind = 'dcgm-exporter';
  readonly description: string;
  private readonly url: string;
  private readonly headers: Record<string, string>;

  constructor(url: string, options: DcgmExporterSourceOptions = {}) {
    const shown = redactUrl(url);
    let parsed: URL | undefined;
    try {
      parsed = new URL(url);
    } catch {
      // Refused below, as a URL of no scheme.
    }
    if (parsed?.protocol !== 'http:' && parsed?.protocol !== 'https:') {
      throw new DcgmExporterUrlError(`${JSON.stringify(shown)} is not an http(s) URL`);
    }
    if (hasCredentials(parsed)) {
      throw new DcgmExporterUrlError(
        `${JSON.stringify(shown)} carries a user or password, which would be shown wherever the URL is; pass credentials as headers instead (PRESIZE_GPU_HEADERS)`,
      );
    }
    for (const [name, value] of Object.entries(options.headers ?? {})) {
      const problem = headerProblem(name, value);
      if (problem !== undefined) throw new Error(`dcgm-exporter header refused: ${problem}`);
    }
    this.url = url;
    this.description = shown;
    this.headers = { ...options.headers, accept: 'text/plain;version=0.0.4' };
  }

  async read(signal: AbortSignal, options: GpuReadOptions = {}): Promise<GpuSample> {
    let response: Response;
    try {
      response = await fetch(this.url, { signal, headers: this.headers });
    } catch (error) {
      if (signal.aborted) throw error;
      const cause = (error as { cause?: { code?: string; message?: string } }).cause;
      throw new GpuSourceError(
        'unreachable',
        `${this.description} unreachable: ${cause?.code ?? cause?.message ?? (error as Error).message}`,
      );
    }
    if (!response.ok) {
      await response.body?.cancel().catch(() => undefined);
      throw new GpuSourceError(
        'http_status',
        `${this.description} answered HTTP ${response.status} ${response.statusText}`,
      );
    }
    return readFetchedCapture(
      boundedBody(response, this.description),
      this.description,
      signal,
      'dcgm-exporter',
      options,
    );
  }
}

/** The body's chunks as they arrive, at most MAX_CAPTURE_BYTES of them. */
async function* boundedBody(response: Response, url: string): AsyncGenerator<Uint8Array> {
  const reader = response.body?.getReader();
  if (!reader) return;
  let size = 0;
  let done = false;
  try {
    for (;;) {
      const next = await reader.read();
      if (next.done) break;
      size += next.value.byteLength;
      if (size > MAX_CAPTURE_BYTES)
        throw new GpuSourceError('body_too_large', `${url} sent more than ${MAX_CAPTURE_BYTES} bytes`);
      yield next.value;
    }
    done = true;
  } finally {
    // A body left unread (too large, or its reading given up) is cancelled, closing the connection.
    if (!done) await reader.cancel().catch(() => undefined);
  }
}
