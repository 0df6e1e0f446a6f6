import { chmodSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DcgmExporterSource } from '../src/sources/dcgm-exporter-source.js';
import { FileSource } from '../src/sources/file-source.js';
import { NvidiaSmiSource } from '../src/sources/nvidia-smi-source.js';
import type { GpuSource } from '../src/sources/source.js';
import { SMI_QUERY_COLUMNS } from '../src/smi-field-map.js';
import { fixture, fixturePath, SCRAPES, SMI_CSV, SMI_XML } from './fixtures.js';
import { harness, metricNames, points, type Harness } from './otel-harness.js';
import { valueOf } from './series.js';

type Behaviour = (response: ServerResponse) => void;

describe('dcgm-exporter source against an HTTP server on 127.0.0.1', () => {
  let server: Server;
  let url: string;
  let behaviour: Behaviour;
  let current: Harness | undefined;

  beforeAll(async () => {
    server = createServer((_request, response) => behaviour(response));
    await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/metrics`;
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise((done) => server.close(done));
  }, 60_000);
  afterEach(async () => {
    await current?.shutdown();
    current = undefined;
  });

  const exporterSource = (): Record<string, string> => ({
    'presize.gpu.source': 'dcgm-exporter',
    'presize.gpu.source.target': url,
  });

  const scrapeOf =
    (text: string): Behaviour =>
    (response) => {
      response.setHeader('content-type', 'text/plain; version=0.0.4');
      response.end(text);
    };

  const gpuMetrics = (target = url, timeoutMs = 300): Harness => {
    current = harness({ source: new DcgmExporterSource(target), intervalMs: 1000, timeoutMs });
    return current;
  };

  it('reads a real scrape served over HTTP', async () => {
    behaviour = scrapeOf(fixture(SCRAPES.h100x8));
    // The process's first request and read, on a machine however loaded: a timeout no read reaches,
    // and the test's own time to match.
    const { gpu, collect } = gpuMetrics(url, 600_000);
    const result = await gpu.scrape();
    expect(result).toMatchObject({ ok: true });
    expect(points(await collect(), 'DCGM_FI_DEV_POWER_USAGE')).toHaveLength(8);
  }, 600_000);

  it.each<[string, Behaviour, string]>([
    [
      '500',
      (response) => {
        response.statusCode = 500;
        response.end('exporter broke');
      },
      'http_status',
    ],
    [
      'a slow answer',
      (response) => {
        setTimeout(() => scrapeOf(fixture(SCRAPES.l4))(response), 1500).unref();
      },
      'timeout',
    ],
    [
      'a body sent too slowly',
      (response) => {
        response.write('DCGM_FI_DEV_GPU_TEMP{gpu="0"} 1\n');
        setTimeout(() => response.end(), 1500).unref();
      },
      'timeout',
    ],
    ['garbage', scrapeOf('<html><body>502 Bad Gateway</body></html>\n{"error": true}\n'), 'garbage'],
    ['an empty body', scrapeOf(''), 'empty'],
    [
      "some other exporter's metrics, not one DCGM field",
      scrapeOf('# TYPE process_cpu_seconds_total counter\nprocess_cpu_seconds_total 3.2\nup 1\n'),
      'empty',
    ],
  ])('after %s: values disappear, the error is counted with its reason, up is 0', async (_name, failure, reason) => {
    behaviour = scrapeOf(fixture(SCRAPES.l4));
    const { gpu, collect } = gpuMetrics();
    await gpu.scrape();
    expect(points(await collect(), 'DCGM_FI_DEV_GPU_TEMP')).toHaveLength(1);
    behaviour = failure;
    const result = await gpu.scrape();
    expect(result).toMatchObject({ ok: false, reason });
    if (reason === 'timeout') expect(result.durationSeconds).toBeLessThan(1.4);
    const collected = await collect();
    expect(metricNames(collected).filter((name) => name.startsWith('DCGM_'))).toEqual([]);
    expect(points(collected, 'presize.gpu.up')).toEqual([[exporterSource(), 0]]);
    expect(points(collected, 'presize.gpu.scrape.errors')).toEqual([
      [{ ...exporterSource(), 'error.type': reason }, 1],
    ]);
  });

  it('an unreachable port is unreachable, quickly, and nothing is thrown', async () => {
    const closed = createServer();
    await new Promise<void>((done) => closed.listen(0, '127.0.0.1', done));
    const port = (closed.address() as AddressInfo).port;
    await new Promise((done) => closed.close(done));
    const { gpu } = gpuMetrics(`http://127.0.0.1:${port}/metrics`, 2000);
    const result = await gpu.scrape();
    expect(result).toMatchObject({ ok: false, reason: 'unreachable' });
    expect(result.ok ? '' : result.message).toContain('ECONNREFUSED');
  });

  it('keeps the good lines of a scrape with a few malformed ones', async () => {
    behaviour = scrapeOf(`${fixture(SCRAPES.l4)}DCGM_FI_DEV_GPU_TEMP{gpu="0",UUID="x} 1\nnot a line\n`);
    const { gpu, collect } = gpuMetrics();
    const result = await gpu.scrape();
    expect(result.ok && result.sample.malformed.map((line) => line.line)).toEqual([70, 71]);
    const collected = await collect();
    expect(points(collected, 'DCGM_FI_DEV_GPU_TEMP')).toHaveLength(1);
    expect(points(collected, 'presize.gpu.malformed_lines')).toEqual([[exporterSource(), 2]]);
  });

  it('start() reads at once, then an interval after each read ends, never two at once; stop() ends it', async () => {
    let held: (() => void) | undefined;
    let hold = false;
    behaviour = (response) => {
      const answer = (): void => scrapeOf(fixture(SCRAPES.t4))(response);
      if (hold) held = answer;
      else answer();
    };
    // Reads are counted as GpuMetrics starts them (synchronously, in its timer's callback) and as
    // they end.
    const http = new DcgmExporterSource(url);
    let started = 0;
    let ended = 0;
    const source: GpuSource = {
      kind: http.kind,
      description: http.description,
      read: (signal) => {
        started++;
        return http.read(signal).finally(() => ended++);
      },
    };
    // The time between reads is driven by hand; the HTTP exchange and the read's timeout keep real
    // time, with a timeout no loaded machine reaches.
    jest.useFakeTimers({
      doNotFake: ['Date', 'hrtime', 'nextTick', 'performance', 'queueMicrotask', 'setImmediate', 'clearImmediate'],
    });
    /** Until `reads` have ended and what follows a read (promise callbacks only, for this capture) has run. */
    const readsEnded = async (reads: number): Promise<void> => {
      while (ended < reads) await new Promise((done) => setImmediate(done));
      for (let turn = 0; turn < 3; turn++) await new Promise((done) => setImmediate(done));
    };
    try {
      current = harness({ source, intervalMs: 50, timeoutMs: 600_000 });
      current.gpu.start();
      expect(started).toBe(1);
      await readsEnded(1);
      for (let read = 2; read <= 4; read++) {
        jest.advanceTimersByTime(49);
        expect(started).toBe(read - 1);
        jest.advanceTimersByTime(1);
        expect(started).toBe(read);
        await readsEnded(read);
      }
      // A read that takes many intervals: no other starts meanwhile, and the next waits an interval after it.
      hold = true;
      jest.advanceTimersByTime(50);
      expect(started).toBe(5);
      while (held === undefined) await new Promise((done) => setImmediate(done));
      jest.advanceTimersByTime(500);
      expect(started).toBe(5);
      hold = false;
      held();
      await readsEnded(5);
      jest.advanceTimersByTime(49);
      expect(started).toBe(5);
      await current.gpu.stop();
      jest.advanceTimersByTime(1000);
      expect(started).toBe(5);
      expect(ended).toBe(5);
    } finally {
      jest.useRealTimers();
    }
  });

  it('refuses a URL that is not http(s) when built', () => {
    expect(() => new DcgmExporterSource('file:///etc/passwd')).toThrow(
      'dcgm-exporter URL "file:///etc/passwd" is not an http(s) URL',
    );
  });
});

describe('nvidia-smi source: a real spawn of a stand-in binary', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'presize-smi-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  const script = (name: string, body: string): string => {
    const path = join(dir, name);
    writeFileSync(path, `#!${process.execPath}\n${body}\n`);
    chmodSync(path, 0o755);
    return path;
  };

  it('runs the binary with the query arguments and reads its CSV', async () => {
    const argsFile = join(dir, 'args.json');
    const binary = script(
      'smi-csv',
      `require('fs').writeFileSync(${JSON.stringify(argsFile)}, JSON.stringify(process.argv.slice(2)));
       process.stdout.write(require('fs').readFileSync(${JSON.stringify(fixturePath(SMI_CSV.h200Load))}));`,
    );
    const source = new NvidiaSmiSource({ binary, hostname: 'gpu-host-1' });
    const sample = await source.read(AbortSignal.timeout(5000));
    expect(JSON.parse(readFileSync(argsFile, 'utf8'))).toEqual([
      `--query-gpu=${SMI_QUERY_COLUMNS.join(',')}`,
      '--format=csv',
    ]);
    expect(valueOf(sample, 'DCGM_FI_DEV_FB_USED')).toBe(32362);
    expect(sample.series[0]?.labels['Hostname']).toBe('gpu-host-1');
  });

  it('runs -q -x in xml format', async () => {
    const binary = script(
      'smi-xml',
      `process.stdout.write(require('fs').readFileSync(${JSON.stringify(fixturePath(SMI_XML.a10g))}));`,
    );
    const sample = await new NvidiaSmiSource({ binary, format: 'xml' }).read(AbortSignal.timeout(5000));
    expect(valueOf(sample, 'DCGM_FI_DEV_POWER_USAGE')).toBe(25.58);
  });

  it('reports a failing binary with its exit code and message, a missing one, and a hung one', async () => {
    const failing = script(
      'smi-fail',
      `process.stderr.write('Field "clocks.sm" is not a valid field to query.\\n'); process.exit(2);`,
    );
    const hung = script('smi-hang', 'setTimeout(() => {}, 60000);');
    const read = async (binary: string, timeoutMs: number): Promise<unknown> => {
      const h = harness({ source: new NvidiaSmiSource({ binary }), timeoutMs });
      try {
        return await h.gpu.scrape();
      } finally {
        await h.shutdown();
      }
    };
    expect(await read(failing, 5000)).toMatchObject({
      ok: false,
      reason: 'exit_status',
      message: expect.stringContaining('exited with 2: Field "clocks.sm" is not a valid field to query.'),
    });
    expect(await read(join(dir, 'does-not-exist'), 5000)).toMatchObject({
      ok: false,
      reason: 'spawn_failed',
      message: expect.stringContaining('ENOENT'),
    });
    const started = Date.now();
    expect(await read(hung, 300)).toMatchObject({ ok: false, reason: 'timeout' });
    expect(Date.now() - started).toBeLessThan(3000);
  });
});

describe('file source', () => {
  let dir: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'presize-file-'));
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it.each([
    [SCRAPES.l40s, 'dcgm-exporter'],
    [SMI_CSV.l40sLoad, 'nvidia-smi-csv'],
    [SMI_XML.t4, 'nvidia-smi-xml'],
  ])('replays %s, detecting %s from the content', async (path, format) => {
    const sample = await new FileSource(fixturePath(path)).read(AbortSignal.timeout(5000));
    expect(sample.format).toBe(format);
  });

  it('names what is wrong with a file it cannot use', async () => {
    const unknown = join(dir, 'notes.txt');
    writeFileSync(unknown, 'hello: world\nthis is not a capture\n');
    const truncated = join(dir, 'cut.xml');
    writeFileSync(truncated, fixture(SMI_XML.t4).slice(0, 4000));
    await expect(new FileSource(unknown).read(AbortSignal.timeout(5000))).rejects.toMatchObject({
      reason: 'unrecognized_format',
    });
    await expect(new FileSource(truncated).read(AbortSignal.timeout(5000))).rejects.toMatchObject({
      reason: 'unparseable',
    });
    await expect(new FileSource(join(dir, 'missing.prom')).read(AbortSignal.timeout(5000))).rejects.toMatchObject({
      reason: 'read_failed',
      message: expect.stringContaining('ENOENT'),
    });
  });
});
