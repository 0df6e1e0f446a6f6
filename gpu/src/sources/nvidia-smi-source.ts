import { spawn } from 'node:child_process';
import type { GpuSample } from '../sample.js';
import { SMI_QUERY_COLUMNS } from '../smi-field-map.js';
import { GpuSourceError, MAX_CAPTURE_BYTES, readFetchedCapture, type GpuSource } from './source.js';

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

  async read(signal: AbortSignal): Promise<GpuSample> {
    const output = await run(this.binary, this.args, signal);
    return readFetchedCapture(output, this.binary, this.format === 'xml' ? 'nvidia-smi-xml' : 'nvidia-smi-csv', {
      ...(this.options.hostname === undefined ? {} : { hostname: this.options.hostname }),
    });
  }
}

function run(binary: string, args: readonly string[], signal: AbortSignal): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(binary, args, { stdio: ['ignore', 'pipe', 'pipe'], signal, killSignal: 'SIGKILL' });
    const stdout: Buffer[] = [];
    let size = 0;
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      size += chunk.byteLength;
      if (size > MAX_CAPTURE_BYTES) {
        child.kill('SIGKILL');
        reject(new GpuSourceError('body_too_large', `${binary} printed more than ${MAX_CAPTURE_BYTES} bytes`));
        return;
      }
      stdout.push(chunk);
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString('utf8')).slice(-2000);
    });
    child.once('error', (error: NodeJS.ErrnoException) => {
      if (signal.aborted) reject(signal.reason ?? error);
      else reject(new GpuSourceError('spawn_failed', `${binary} could not be run: ${error.code ?? error.message}`));
    });
    child.once('close', (code, killedBy) => {
      if (signal.aborted) return reject(signal.reason);
      if (code === 0) return resolve(Buffer.concat(stdout).toString('utf8'));
      const detail = stderr.trim() || Buffer.concat(stdout).toString('utf8').trim().slice(0, 500);
      reject(new GpuSourceError('exit_status', `${binary} exited with ${code ?? killedBy}${detail ? `: ${detail}` : ''}`));
    });
  });
}
