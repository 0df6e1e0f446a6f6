// Sources pointed at things that would wedge the host: pipes, devices, directories, endless or
// garbage files, an nvidia-smi wrapper that hangs with a child holding its output, a source that
// never answers. Each read fails with a reason and a message naming what was wrong, and leaves
// neither a blocked threadpool thread nor a process behind.
import { execFileSync } from 'node:child_process';
import { chmodSync, mkdtempSync, readFileSync, rmSync, truncateSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { FileSource } from '../src/sources/file-source.js';
import { NvidiaSmiSource } from '../src/sources/nvidia-smi-source.js';
import { MAX_CAPTURE_BYTES, type GpuSource } from '../src/sources/source.js';
import type { GpuSample } from '../src/sample.js';
import { fixturePath, SMI_CSV } from './fixtures.js';
import { harness } from './otel-harness.js';
import { pidsIn, survivors } from './processes.js';

let dir: string;
beforeAll(() => {
  dir = mkdtempSync(join(tmpdir(), 'presize-hostile-'));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const read = (source: GpuSource, timeoutMs = 5000): Promise<GpuSample> => source.read(AbortSignal.timeout(timeoutMs));

describe('file source: only regular files', () => {
  it('refuses a named pipe without opening it, and the threadpool stays free for the application', async () => {
    const fifo = join(dir, 'capture.fifo');
    execFileSync('mkfifo', [fifo]);
    // More reads than libuv has threadpool threads (4): each blocked open would hold one.
    const reads = Array.from({ length: 8 }, () => read(new FileSource(fifo)));
    for (const outcome of await Promise.allSettled(reads)) {
      expect(outcome).toMatchObject({
        status: 'rejected',
        reason: { reason: 'read_failed', message: `${fifo} is a named pipe; only a regular file can be replayed` },
      });
    }
    // The application's own fs calls still complete.
    expect(await readFile(fixturePath(SMI_CSV.l40sLoad), 'utf8')).toContain('name');
  });

  it.each([
    ['/dev/zero', 'a character device'],
    ['/dev/urandom', 'a character device'],
    ['/tmp', 'a directory'],
  ])('refuses %s, which is %s, before reading a byte', async (path, kind) => {
    await expect(read(new FileSource(path))).rejects.toMatchObject({
      reason: 'read_failed',
      message: `${path} is ${kind}; only a regular file can be replayed`,
    });
  });

  it('caps a regular file at MAX_CAPTURE_BYTES by the bytes read', async () => {
    const sparse = join(dir, 'huge.prom');
    writeFileSync(sparse, '');
    truncateSync(sparse, MAX_CAPTURE_BYTES + 1);
    await expect(read(new FileSource(sparse))).rejects.toMatchObject({
      reason: 'body_too_large',
      message: `${sparse} is larger than ${MAX_CAPTURE_BYTES} bytes`,
    });
  });

  it('gives up on a capture of millions of malformed lines after 10,000 of them', async () => {
    const garbage = join(dir, 'garbage.prom');
    // Starts as an exposition, then only lines that break it.
    writeFileSync(garbage, `DCGM_FI_DEV_GPU_TEMP{gpu="0"} 41\n${'x\n'.repeat(7_000_000)}`);
    await expect(read(new FileSource(garbage), 30_000)).rejects.toMatchObject({
      reason: 'garbage',
      message: `${garbage}: more than 10000 malformed lines; the capture is not read`,
    });
  });
});

describe('nvidia-smi source: the whole process group goes', () => {
  const script = (name: string, body: string): string => {
    const path = join(dir, name);
    writeFileSync(path, `#!/bin/sh\n${body}\n`);
    chmodSync(path, 0o755);
    return path;
  };

  it('a wrapper that hangs with a child holding its output: the timeout kills both', async () => {
    const pids = join(dir, 'hung.pids');
    // The child inherits stdout, as a real wrapper's nvidia-smi does, and outlives a kill of its parent.
    const binary = script('smi-hung', `echo $$ >> ${pids}\nsleep 300 &\necho $! >> ${pids}\nwait`);
    const h = harness({ source: new NvidiaSmiSource({ binary }), timeoutMs: 500 });
    try {
      expect(await h.gpu.scrape()).toMatchObject({ ok: false, reason: 'timeout' });
    } finally {
      await h.shutdown();
    }
    expect(pidsIn(pids)).toHaveLength(2);
    expect(await survivors(pidsIn(pids))).toEqual([]);
  });

  it('a wrapper that prints its capture and exits, leaving a child on its output: the read ends with the capture, and the child is killed', async () => {
    const pids = join(dir, 'leftover.pids');
    const binary = script(
      'smi-leftover',
      `cat ${fixturePath(SMI_CSV.l40sLoad)}\nsleep 300 &\necho $! >> ${pids}\nexit 0`,
    );
    const sample = await read(new NvidiaSmiSource({ binary }), 60_000);
    expect(sample.series.length).toBeGreaterThan(0);
    expect(await survivors(pidsIn(pids))).toEqual([]);
  });

  it('stop() during a read kills the group too', async () => {
    const pids = join(dir, 'stopped.pids');
    const binary = script('smi-stopped', `echo $$ >> ${pids}\nsleep 300 &\necho $! >> ${pids}\nwait`);
    const h = harness({ source: new NvidiaSmiSource({ binary }), timeoutMs: 60_000 });
    const scrape = h.gpu.scrape();
    while (pidsIn(pids).length < 2) await new Promise((resolve) => setTimeout(resolve, 10));
    await h.shutdown();
    expect(await scrape).toMatchObject({ ok: false });
    expect(await survivors(pidsIn(pids))).toEqual([]);
  });
});

describe('a source that never answers', () => {
  it('costs one stuck read, not one more per interval', async () => {
    let reads = 0;
    const never: GpuSource = {
      kind: 'file',
      description: 'a source that ignores its signal',
      read: () => {
        reads++;
        return new Promise<GpuSample>(() => undefined);
      },
    };
    const h = harness({ source: never, timeoutMs: 50 });
    try {
      expect(await h.gpu.scrape()).toMatchObject({ ok: false, reason: 'timeout' });
      expect(await h.gpu.scrape()).toMatchObject({
        ok: false,
        reason: 'timeout',
        message:
          'a source that ignores its signal: the read given up on earlier has still not ended; no new read is started until it does',
      });
      expect(reads).toBe(1);
    } finally {
      await h.shutdown();
    }
  });

  it('reads again once the read given up on has ended', async () => {
    const capture = readFileSync(fixturePath(SMI_CSV.l40sLoad), 'utf8');
    let finishFirst: (() => void) | undefined;
    let reads = 0;
    const late: GpuSource = {
      kind: 'file',
      description: 'a late source',
      read: async () => {
        reads++;
        if (reads === 1) await new Promise<void>((resolve) => (finishFirst = resolve));
        const { readCapture } = await import('../src/read-capture.js');
        return readCapture(capture);
      },
    };
    const h = harness({ source: late, timeoutMs: 50 });
    try {
      expect(await h.gpu.scrape()).toMatchObject({ ok: false, reason: 'timeout' });
      finishFirst?.();
      await new Promise((resolve) => setImmediate(resolve));
      expect(await h.gpu.scrape()).toMatchObject({ ok: true });
      expect(reads).toBe(2);
    } finally {
      await h.shutdown();
    }
  });
});
