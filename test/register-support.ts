// Helpers of the register tests: the fixture service as a child process started with
// `--import`/`--require @presize/instrumentation/register`, a Prometheus text parser for its
// scrapes, and an OTLP/HTTP receiver on 127.0.0.1. They use the built package (dist): run them
// after `npm run build`, under /tmp/presize-build.lock when developing.
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { createServer as createNetServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';
import { parseExposition as parseStrictExposition, type ExpositionSample } from '../instrumentation/src/gpu/exposition-parser.js';

export { freePort } from '../tools/ports.js';

export const ROOT = join(__dirname, '..');
export const FIXTURES = join(__dirname, 'fixtures');

/** The environment of a child: the test's, without any OTEL_* or PRESIZE_* variable, plus `env`. */
export function childEnv(env: Record<string, string>): NodeJS.ProcessEnv {
  const base = Object.fromEntries(
    Object.entries(process.env).filter(([k]) => !k.startsWith('OTEL_') && !k.startsWith('PRESIZE_')),
  );
  return { ...base, OTEL_LOGS_EXPORTER: 'none', ...env };
}

export interface Service {
  readonly child: ChildProcess;
  /** Parsed JSON lines the fixture printed on stdout. */
  readonly lines: Record<string, unknown>[];
  stderr(): string;
  /** Resolves with the first line that has `key`. */
  line(key: string): Promise<Record<string, unknown>>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
}

export function startService(options: {
  preload: '--import' | '--require';
  entry: string;
  env: Record<string, string>;
  nodeFlags?: string[];
}): Service {
  const child = spawn(
    process.execPath,
    [...(options.nodeFlags ?? []), options.preload, '@presize/instrumentation/register', join(FIXTURES, options.entry)],
    { cwd: ROOT, env: childEnv(options.env), stdio: ['ignore', 'pipe', 'pipe'] },
  );
  const lines: Record<string, unknown>[] = [];
  const waiters: { key: string; resolve: (line: Record<string, unknown>) => void }[] = [];
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    let newline: number;
    while ((newline = stdout.indexOf('\n')) >= 0) {
      const text = stdout.slice(0, newline);
      stdout = stdout.slice(newline + 1);
      if (!text.startsWith('{')) continue;
      const line = JSON.parse(text) as Record<string, unknown>;
      lines.push(line);
      for (const waiter of waiters.filter((w) => w.key in line)) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(line);
      }
    }
  });
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
  });
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return {
    child,
    lines,
    stderr: () => stderr,
    exited,
    line: (key) =>
      new Promise((resolve, reject) => {
        const seen = lines.find((l) => key in l);
        if (seen) return resolve(seen);
        waiters.push({ key, resolve });
        void exited.then(({ code, signal }) =>
          reject(new Error(`service exited (${code ?? signal}) before printing "${key}":\n${stderr}`)),
        );
      }),
  };
}

export type Sample = ExpositionSample;

/** The samples of a scrape; a line the exporter wrote out of format fails the test. */
export function parseExposition(text: string): Sample[] {
  const { samples, malformed } = parseStrictExposition(text);
  if (malformed.length > 0) throw new Error(`malformed exposition lines: ${JSON.stringify(malformed)}`);
  return samples;
}

export function select(samples: Sample[], name: string, labels: Record<string, string> = {}): Sample[] {
  return samples.filter((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v));
}

export async function scrape(port: number): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${port}/metrics`);
  if (!response.ok) throw new Error(`scrape answered ${response.status}`);
  return response.text();
}

/** Scrapes until `ready(samples)` holds (the exporter starts listening asynchronously). */
export async function scrapeUntil(port: number, ready: (samples: Sample[]) => boolean, timeoutMs = 15_000): Promise<Sample[]> {
  const deadline = Date.now() + timeoutMs;
  let last: unknown;
  while (Date.now() < deadline) {
    try {
      const samples = parseExposition(await scrape(port));
      if (ready(samples)) return samples;
      last = new Error('scrape did not yet show what the test waits for');
    } catch (error) {
      last = error;
    }
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw last;
}

export interface OtlpRequest {
  path: string;
  contentType: string;
  body: Buffer;
}

/** An OTLP/HTTP endpoint on 127.0.0.1 that keeps every request it is sent and answers 200. */
export class OtlpReceiver {
  readonly requests: OtlpRequest[] = [];
  private readonly server: Server = createServer((request: IncomingMessage, response) => {
    const chunks: Buffer[] = [];
    request.on('data', (chunk: Buffer) => chunks.push(chunk));
    request.on('end', () => {
      this.requests.push({
        path: request.url ?? '',
        contentType: String(request.headers['content-type'] ?? ''),
        body: Buffer.concat(chunks),
      });
      const json = String(request.headers['content-type']).includes('json');
      response.writeHead(200, { 'content-type': json ? 'application/json' : 'application/x-protobuf' });
      response.end(json ? '{}' : undefined);
    });
  });

  async start(): Promise<string> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  received(path: string): OtlpRequest[] {
    return this.requests.filter((r) => r.path === path);
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }
}

/** A collector that is down in the worst way: it accepts each connection and drops it at once. */
export class DroppingCollector {
  connections = 0;
  private readonly server = createNetServer((socket) => {
    this.connections++;
    socket.destroy();
  });

  async start(): Promise<string> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.close();
    await once(this.server, 'close');
  }
}

export interface DocumentedName {
  instrument: string;
  prometheusExporter: string;
  otlp: string;
}

/** The rows of docs/telemetry.md tables that give an instrument's two Prometheus names. */
export function documentedNames(markdown: string): DocumentedName[] {
  const rows: DocumentedName[] = [];
  let columns: { exporter: number; otlp: number } | undefined;
  for (const line of markdown.split('\n')) {
    if (!line.startsWith('|')) {
      columns = undefined;
      continue;
    }
    const cells = line.split('|').slice(1, -1).map((c) => c.trim());
    const exporter = cells.indexOf('Prometheus exporter');
    if (exporter >= 0) {
      columns = { exporter, otlp: cells.indexOf('OTLP into Prometheus') };
      continue;
    }
    const instrument = /^`([a-z0-9_.{},]+)`/.exec(cells[0] ?? '')?.[1];
    if (columns === undefined || instrument === undefined) continue;
    const first = (cell: string | undefined) => /`([a-z0-9_]+)`/.exec(cell ?? '')?.[1];
    const prometheusExporter = first(cells[columns.exporter]);
    const otlp = first(cells[columns.otlp]);
    if (prometheusExporter && otlp) rows.push({ instrument, prometheusExporter, otlp });
  }
  return rows;
}

type AttributeValue = string | number | boolean;
export type Attributes = Record<string, AttributeValue>;

/** One data point of an exported metric, whichever OTLP encoding carried it. */
export interface ExportedPoint {
  metric: string;
  unit: string;
  type: 'sum' | 'gauge' | 'histogram';
  attributes: Attributes;
  resource: Attributes;
  /** Sums and gauges. */
  value?: number;
  /** Histograms. */
  count?: number;
  sum?: number;
}

export interface ExportedSpan {
  name: string;
  attributes: Attributes;
  links: number;
  resource: Attributes;
}

// OTLP/JSON: https://opentelemetry.io/docs/specs/otlp/#json-protobuf-encoding (int64 as strings).
interface JsonKeyValue {
  key: string;
  value: { stringValue?: string; intValue?: string | number; doubleValue?: number; boolValue?: boolean };
}
const jsonAttributes = (list: JsonKeyValue[] | undefined): Attributes =>
  Object.fromEntries(
    (list ?? []).map(({ key, value }) => [
      key,
      value.stringValue ?? value.boolValue ?? (value.intValue !== undefined ? Number(value.intValue) : value.doubleValue ?? ''),
    ]),
  );

interface JsonNumberPoint {
  attributes?: JsonKeyValue[];
  asInt?: string | number;
  asDouble?: number;
}
interface JsonHistogramPoint {
  attributes?: JsonKeyValue[];
  count: string | number;
  sum?: number;
}
interface JsonMetric {
  name: string;
  unit?: string;
  sum?: { dataPoints: JsonNumberPoint[] };
  gauge?: { dataPoints: JsonNumberPoint[] };
  histogram?: { dataPoints: JsonHistogramPoint[] };
}

export function pointsFromJson(body: Buffer): ExportedPoint[] {
  const request = JSON.parse(body.toString('utf8')) as {
    resourceMetrics: { resource?: { attributes?: JsonKeyValue[] }; scopeMetrics: { metrics: JsonMetric[] }[] }[];
  };
  const points: ExportedPoint[] = [];
  for (const rm of request.resourceMetrics) {
    const resource = jsonAttributes(rm.resource?.attributes);
    for (const metric of rm.scopeMetrics.flatMap((s) => s.metrics)) {
      const base = { metric: metric.name, unit: metric.unit ?? '', resource };
      for (const [type, data] of [['sum', metric.sum], ['gauge', metric.gauge]] as const) {
        for (const p of data?.dataPoints ?? []) {
          points.push({ ...base, type, attributes: jsonAttributes(p.attributes), value: Number(p.asInt ?? p.asDouble) });
        }
      }
      for (const p of metric.histogram?.dataPoints ?? []) {
        points.push({ ...base, type: 'histogram', attributes: jsonAttributes(p.attributes), count: Number(p.count), sum: p.sum ?? 0 });
      }
    }
  }
  return points;
}

export function spansFromJson(body: Buffer): ExportedSpan[] {
  const request = JSON.parse(body.toString('utf8')) as {
    resourceSpans: {
      resource?: { attributes?: JsonKeyValue[] };
      scopeSpans: { spans: { name: string; attributes?: JsonKeyValue[]; links?: unknown[] }[] }[];
    }[];
  };
  return request.resourceSpans.flatMap((rs) =>
    rs.scopeSpans.flatMap((ss) =>
      ss.spans.map((span) => ({
        name: span.name,
        attributes: jsonAttributes(span.attributes),
        links: span.links?.length ?? 0,
        resource: jsonAttributes(rs.resource?.attributes),
      })),
    ),
  );
}

// OTLP/protobuf, read with the wire format alone and the field numbers of the OTLP .proto files
// (opentelemetry/proto/{metrics,trace,common,resource}/v1): enough to check what was sent.
type Field = { wire: number; varint?: bigint; bytes?: Buffer };

function readMessage(buffer: Buffer): Map<number, Field[]> {
  const fields = new Map<number, Field[]>();
  let offset = 0;
  const varint = (): bigint => {
    let result = 0n;
    let shift = 0n;
    for (;;) {
      const byte = buffer[offset++]!;
      result |= BigInt(byte & 0x7f) << shift;
      if ((byte & 0x80) === 0) return result;
      shift += 7n;
    }
  };
  while (offset < buffer.length) {
    const key = Number(varint());
    const [number, wire] = [key >>> 3, key & 7];
    let field: Field;
    if (wire === 0) field = { wire, varint: varint() };
    else if (wire === 1) field = { wire, bytes: buffer.subarray(offset, (offset += 8)) };
    else if (wire === 5) field = { wire, bytes: buffer.subarray(offset, (offset += 4)) };
    else if (wire === 2) {
      const length = Number(varint());
      field = { wire, bytes: buffer.subarray(offset, (offset += length)) };
    } else throw new Error(`unsupported protobuf wire type ${wire}`);
    fields.set(number, [...(fields.get(number) ?? []), field]);
  }
  return fields;
}

const messages = (fields: Map<number, Field[]>, n: number) => (fields.get(n) ?? []).map((f) => readMessage(f.bytes!));
const text = (fields: Map<number, Field[]>, n: number) => fields.get(n)?.[0]?.bytes?.toString('utf8') ?? '';

function protoAttributes(list: Map<number, Field[]>[]): Attributes {
  return Object.fromEntries(
    list.map((kv) => {
      const value = messages(kv, 2)[0] ?? new Map<number, Field[]>();
      const field = (n: number) => value.get(n)?.[0];
      // string_value 1, bool_value 2, int_value 3, double_value 4; arrays and maps (5, 6) are
      // kept as their presence only: no attribute the tests read is one.
      const v: AttributeValue =
        field(1) !== undefined
          ? text(value, 1)
          : field(2) !== undefined
            ? field(2)!.varint === 1n
            : field(3) !== undefined
              ? Number(BigInt.asIntN(64, field(3)!.varint!))
              : field(4) !== undefined
                ? field(4)!.bytes!.readDoubleLE(0)
                : '[composite]';
      return [text(kv, 1), v];
    }),
  );
}

export function pointsFromProtobuf(body: Buffer): ExportedPoint[] {
  const points: ExportedPoint[] = [];
  for (const rm of messages(readMessage(body), 1)) {
    const resource = protoAttributes(messages(messages(rm, 1)[0] ?? new Map(), 1));
    for (const metric of messages(rm, 2).flatMap((sm) => messages(sm, 2))) {
      const base = { metric: text(metric, 1), unit: text(metric, 3), resource };
      for (const [type, n] of [['gauge', 5], ['sum', 7]] as const) {
        for (const p of messages(metric, n).flatMap((data) => messages(data, 1))) {
          const double = p.get(4)?.[0]?.bytes;
          const int = p.get(6)?.[0]?.bytes;
          const value = double ? double.readDoubleLE(0) : int ? Number(int.readBigInt64LE(0)) : 0;
          points.push({ ...base, type, attributes: protoAttributes(messages(p, 7)), value });
        }
      }
      for (const p of messages(metric, 9).flatMap((data) => messages(data, 1))) {
        points.push({
          ...base,
          type: 'histogram',
          attributes: protoAttributes(messages(p, 9)),
          count: Number(p.get(4)![0]!.bytes!.readBigUInt64LE(0)),
          sum: p.get(5)?.[0]?.bytes?.readDoubleLE(0) ?? 0,
        });
      }
    }
  }
  return points;
}

export function spansFromProtobuf(body: Buffer): ExportedSpan[] {
  return messages(readMessage(body), 1).flatMap((rs) => {
    const resource = protoAttributes(messages(messages(rs, 1)[0] ?? new Map(), 1));
    return messages(rs, 2)
      .flatMap((ss) => messages(ss, 2))
      .map((span) => ({
        name: text(span, 5),
        attributes: protoAttributes(messages(span, 9)),
        links: (span.get(13) ?? []).length,
        resource,
      }));
  });
}
