/**
 * The few endpoints of the Prometheus HTTP API the datasource uses, over any transport (Grafana's
 * data proxy in the browser, plain HTTP in tests). Errors name the endpoint and quote the server.
 */
import { labelValuesPath } from '../transport/endpoints';

export type Labels = Record<string, string>;

export interface InstantSample {
  labels: Labels;
  value: number;
}

export interface RangeSeries {
  labels: Labels;
  /** Milliseconds since the epoch. */
  times: number[];
  values: number[];
}

/** Sends `params` to the read endpoint `path` (e.g. `api/v1/query`), resolving to the parsed JSON body. */
export type Transport = (path: string, params: URLSearchParams) => Promise<unknown>;

interface Envelope {
  status?: unknown;
  data?: unknown;
  error?: unknown;
  errorType?: unknown;
}

export class PrometheusApiError extends Error {
  constructor(
    message: string,
    readonly expr?: string
  ) {
    super(message);
    this.name = 'PrometheusApiError';
  }
}

function unwrap(body: unknown, what: string, expr?: string): unknown {
  const envelope = (body ?? {}) as Envelope;
  if (typeof body !== 'object' || body === null || !('status' in envelope)) {
    throw new PrometheusApiError(
      `${what}: the server did not answer like a Prometheus API (no "status" in the reply)`,
      expr
    );
  }
  if (envelope.status !== 'success') {
    const kind = typeof envelope.errorType === 'string' ? envelope.errorType : 'error';
    const text = typeof envelope.error === 'string' ? envelope.error : 'no error text';
    throw new PrometheusApiError(`${what} failed (${kind}): ${text}${expr ? `\n  query: ${expr}` : ''}`, expr);
  }
  return envelope.data;
}

function parseValue(raw: unknown): number {
  // Prometheus sends sample values as strings, including "NaN" and "+Inf".
  return typeof raw === 'string' ? Number(raw) : Number.NaN;
}

export function toSeconds(ms: number): string {
  return (ms / 1000).toFixed(3);
}

export class PrometheusApi {
  constructor(private readonly send: Transport) {}

  /** Instant vector at `timeMs`; a scalar result becomes one sample without labels. */
  async instant(expr: string, timeMs: number): Promise<InstantSample[]> {
    const params = new URLSearchParams({ query: expr, time: toSeconds(timeMs) });
    const data = unwrap(await this.send('api/v1/query', params), 'instant query', expr) as {
      resultType?: string;
      result?: unknown;
    };
    if (data?.resultType === 'scalar') {
      const [, value] = data.result as [number, string];
      return [{ labels: {}, value: parseValue(value) }];
    }
    if (data?.resultType !== 'vector' || !Array.isArray(data.result)) {
      throw new PrometheusApiError(
        `instant query returned ${String(data?.resultType)}, expected a vector\n  query: ${expr}`,
        expr
      );
    }
    return (data.result as Array<{ metric?: Labels; value?: [number, string] }>).map((sample) => ({
      labels: sample.metric ?? {},
      value: parseValue(sample.value?.[1]),
    }));
  }

  /** Range query from `startMs` to `endMs`, `stepSeconds` apart. */
  async range(expr: string, startMs: number, endMs: number, stepSeconds: number): Promise<RangeSeries[]> {
    const params = new URLSearchParams({
      query: expr,
      start: toSeconds(startMs),
      end: toSeconds(endMs),
      step: String(stepSeconds),
    });
    const data = unwrap(await this.send('api/v1/query_range', params), 'range query', expr) as {
      resultType?: string;
      result?: unknown;
    };
    if (data?.resultType !== 'matrix' || !Array.isArray(data.result)) {
      throw new PrometheusApiError(
        `range query returned ${String(data?.resultType)}, expected a matrix\n  query: ${expr}`,
        expr
      );
    }
    return (data.result as Array<{ metric?: Labels; values?: Array<[number, string]> }>).map((series) => ({
      labels: series.metric ?? {},
      times: (series.values ?? []).map(([t]) => Math.round(t * 1000)),
      values: (series.values ?? []).map(([, v]) => parseValue(v)),
    }));
  }

  /** Values of `label` on series matching `match` (all series when omitted), sorted. */
  async labelValues(label: string, match: string | undefined, startMs: number, endMs: number): Promise<string[]> {
    const params = new URLSearchParams({ start: toSeconds(startMs), end: toSeconds(endMs) });
    if (match) {
      params.append('match[]', match);
    }
    const data = unwrap(await this.send(labelValuesPath(label), params), `values of label ${label}`);
    if (!Array.isArray(data)) {
      throw new PrometheusApiError(`values of label ${label}: expected a list`);
    }
    return (data as unknown[]).filter((v): v is string => typeof v === 'string').sort();
  }

  /** Server build information; Prometheus, Mimir, Thanos and VictoriaMetrics answer it. */
  async buildInfo(): Promise<{ version?: string }> {
    const data = unwrap(await this.send('api/v1/status/buildinfo', new URLSearchParams()), 'build information') as {
      version?: unknown;
    };
    return { version: typeof data?.version === 'string' ? data.version : undefined };
  }
}
