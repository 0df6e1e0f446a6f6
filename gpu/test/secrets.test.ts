// Credentials and tokens given for dcgm-exporter never reach a log line, a label or an attribute:
// the URL is shown without query string, a URL with a user or password is refused, and headers
// (PRESIZE_GPU_HEADERS) carry credentials instead.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { gpuConfigFromEnv } from '../src/env-config.js';
import { parseHeaderList } from '../src/header-list.js';
import { redactUrl } from '../src/redact-url.js';
import { DcgmExporterSource } from '../src/sources/dcgm-exporter-source.js';
import { fixture, SCRAPES } from './fixtures.js';
import { harness } from './otel-harness.js';

const SECRET = 's3cr3t-t0ken';

describe('redactUrl', () => {
  it.each([
    ['http://10.0.0.5:9400/metrics', 'http://10.0.0.5:9400/metrics'],
    [`http://10.0.0.5:9400/metrics?token=${SECRET}`, 'http://10.0.0.5:9400/metrics?redacted'],
    [`https://user:${SECRET}@gpu.example:9400/metrics?a=1#frag`, 'https://gpu.example:9400/metrics?redacted'],
    [`https://gpu.example/metrics#${SECRET}`, 'https://gpu.example/metrics?redacted'],
    [`not a url//user:${SECRET}@host/x?token=${SECRET}`, 'not a url//redacted@host/x?redacted'],
  ])('%s is shown as %s', (url, shown) => {
    expect(redactUrl(url)).toBe(shown);
  });
});

describe('PRESIZE_GPU_URL and PRESIZE_GPU_HEADERS', () => {
  it('refuses a URL with a user or password at start-up, without showing them', () => {
    const { config, problems } = gpuConfigFromEnv({
      PRESIZE_GPU_SOURCE: 'dcgm-exporter',
      PRESIZE_GPU_URL: `http://admin:${SECRET}@10.0.0.5:9400/metrics`,
    });
    expect(config).toBeUndefined();
    expect(problems).toEqual([
      'PRESIZE_GPU_URL="http://10.0.0.5:9400/metrics" carries a user or password, which would be shown wherever the URL is; pass credentials as headers instead (PRESIZE_GPU_HEADERS); GPU metrics are off',
    ]);
  });

  it('never shows an unusable URL whole either', () => {
    const { problems } = gpuConfigFromEnv({
      PRESIZE_GPU_SOURCE: 'dcgm-exporter',
      PRESIZE_GPU_URL: `ftp://admin:${SECRET}@host/m?token=${SECRET}`,
    });
    expect(problems).toEqual(['PRESIZE_GPU_URL="ftp://host/m?redacted" is not an http(s) URL; GPU metrics are off']);
  });

  it('shows a URL with a token in its query string without it', () => {
    const { config } = gpuConfigFromEnv({
      PRESIZE_GPU_SOURCE: 'dcgm-exporter',
      PRESIZE_GPU_URL: `http://10.0.0.5:9400/metrics?token=${SECRET}`,
    });
    expect(config?.source.description).toBe('http://10.0.0.5:9400/metrics?redacted');
  });

  it.each([
    ['authorization', 'entry 1 has no "="'],
    [`authorization=Bearer%20${SECRET},x-key`, 'entry 2 has no "="'],
    [`authorization=Bearer%2${SECRET}`, 'the value of header "authorization" is not valid percent-encoding'],
    [`bad name=${SECRET}`, '"bad name" is not a valid header name'],
    [`x-key=a%0Ab${SECRET}`, 'the value of header x-key holds a line break or NUL'],
  ])('refuses PRESIZE_GPU_HEADERS=%j, naming the entry and never its value', (headers, problem) => {
    const result = gpuConfigFromEnv({ PRESIZE_GPU_SOURCE: 'dcgm-exporter', PRESIZE_GPU_HEADERS: headers });
    expect(result.problems).toEqual([
      `PRESIZE_GPU_HEADERS: ${problem}; expected name=value pairs separated by commas, values percent-encoded; GPU metrics are off`,
    ]);
  });

  it('reads headers as OTEL_EXPORTER_OTLP_HEADERS are written', () => {
    expect(parseHeaderList(`Authorization=Bearer%20${SECRET}, x-scope = team%3Da ,`)).toEqual({
      headers: { authorization: `Bearer ${SECRET}`, 'x-scope': 'team=a' },
    });
  });
});

describe('a dcgm-exporter that wants a token, over HTTP on 127.0.0.1', () => {
  let server: Server;
  let base: string;
  beforeAll(async () => {
    server = createServer((request, response) => {
      const url = new URL(request.url ?? '/', 'http://x');
      const authorised =
        url.searchParams.get('token') === SECRET || request.headers.authorization === `Bearer ${SECRET}`;
      if (!authorised) {
        response.statusCode = 401;
        response.end('unauthorised');
        return;
      }
      response.end(fixture(SCRAPES.l4));
    });
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    base = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  }, 60_000);

  const exported = async (source: DcgmExporterSource): Promise<{ ok: boolean; message: string; text: string }> => {
    const h = harness({ source, timeoutMs: 5000 });
    try {
      const result = await h.gpu.scrape();
      return { ok: result.ok, message: result.ok ? '' : result.message, text: await h.prometheusText() };
    } finally {
      await h.shutdown();
    }
  };

  it('reads with the token in the query string, and no label or message holds it', async () => {
    const good = await exported(new DcgmExporterSource(`${base}?token=${SECRET}`));
    expect(good.ok).toBe(true);
    expect(good.text).toContain(`presize_gpu_source_target="${base}?redacted"`);
    const refused = await exported(new DcgmExporterSource(`${base}?token=wrong-${SECRET}`));
    expect(refused).toMatchObject({ ok: false, message: `${base}?redacted answered HTTP 401 Unauthorized` });
    for (const { text, message } of [good, refused]) expect(`${text}${message}`).not.toContain(SECRET);
  });

  it('reads with the token in a header from PRESIZE_GPU_HEADERS', async () => {
    const { config } = gpuConfigFromEnv({
      PRESIZE_GPU_SOURCE: 'dcgm-exporter',
      PRESIZE_GPU_URL: base,
      PRESIZE_GPU_HEADERS: `authorization=Bearer%20${SECRET}`,
    });
    const result = await exported(config!.source as DcgmExporterSource);
    expect(result.ok).toBe(true);
    expect(result.text).not.toContain(SECRET);
  });
});
