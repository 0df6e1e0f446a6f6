import { spawn } from 'node:child_process';
import type { GpuSample } from '../sample.js';
import { SMI_QUERY_COLUMNS } from '../smi-field-map.js';
import {
  GpuSourceError,
  MAX_CAPTURE_BYTES,
  readFetchedCapture,
  type GpuReadOptions,
  type GpuSource,
} from './source.js';

export interface NvidiaSmiSourceOptions {
  /** The nvidia-smi binary; default `nvidia-smi` from PATH. */
  binary?: string;
  /** `csv` runs `--query-gpu=... --format=csv`; `xml` runs `-q -x` (slower, also reports MIG instances). */
  format?: 'csv' | 'xml';
  /** Value of the `Hostname` label. */
  hostname?: string;
}

/** Runs nvidia-smi once per scrape and reads its output. */
export class NvidiaSmiSource implements GpuSource {
  readonly kind = 'nvidia-smi';
  readonly binary: string;
  readonly args: readonly string[];
  private readonly format: 'csv' | 'xml';

  constructor(private readonly options: NvidiaSmiSourceOptions = {}) {
    this.binary = options.binary ?? 'nvidia-smi';
    this.format = options.format ?? 'csv';
    this.args = this.format === 'xml' ? ['-q', '-x'] : [`--query-gpu=${SMI_QUERY_COLUMNS.join(',')}`, '--format=csv'];
  }

  get description(): string {
    return this.binary;
  }

  async read(signal: AbortSignal, options: GpuReadOptions = {}): Promise<GpuSample> {
    const output = await run(this.binary, this.args, signal);
    return readFetchedCapture(
      output,
      this.binary,
      signal,
      this.format === 'xml' ? 'nvidia-smi-xml' : 'nvidia-smi-csv',
      this.options.hostname === undefined ? options : { ...options, hostname: this.options.hostname },
    );
  }
}

/**
 * Runs `binary` in a process group of its own (detached) and kills the whole group, not only the
 * first process, when the read is cancelled or the binary exits: a wrapper script whose child
 * hangs would otherwise leave that child behind on every read, holding the output pipe open, and
 * the host could never exit. Being detached, the group no longer gets the terminal's Ctrl-C, so
 * it is also killed when the host exits while a read is running.
 */
function run(binary: string, args: readonly string[], signal: AbortSignal): Promise<Buffer[]> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) return reject(signal.reason);
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], detached: true });
    const killGroup = (): void => {
      if (child.pid === undefined) return;
      try {
        process.kill(-child.pid, 'SIGKILL');
      } catch {
        // ESRCH: every process of the group has already ended.
      }
    };
    let settled = false;
    const finish = (outcome: () => void): void => {
      if (settled) return;
      settled = true;
      signal.removeEventListener('abort', onAbort);
      process.removeListener('exit', killGroup);
      killGroup();
      outcome();
    };
    const onAbort = (): void => finish(() => reject(signal.reason));
    signal.addEventListener('abort', onAbort, { once: true });
    process.on('exit', killGroup);
    const stdout: Buffer[] = [];
    let size = 0;
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > MAX_CAPTURE_BYTES) {
        finish(() =>
          reject(new GpuSourceError('body_too_large', `${binary} printed more than ${MAX_CAPTURE_BYTES} bytes`)),
        );
        return;
      }
      stdout.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-2000);
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      finish(() =>
        reject(new GpuSourceError('spawn_failed', `${binary} could not be run: ${error.code ?? error.message}`)),
      );
    });
    // What the binary left running is killed as soon as it exits; its output is complete once
    // every holder of the pipes is gone ('close').
    child.once('exit', killGroup);
    child.once('close', (code, killedBy) => {
      if (code === 0) return finish(() => resolve(stdout));
      const detail = stderr.trim() || (stdout[0]?.subarray(0, 2000).toString('utf8') ?? '').trim().slice(0, 500);
      finish(() =>
        reject(
          new GpuSourceError('exit_status', `${binary} exited with ${code ?? killedBy}${detail ? `: ${detail}` : ''}`),
        ),
      );
    });
  });
}
