import { spawn, spawnSync } from 'node:child_process';

/** A server process started by a test tool: its stderr tail for error messages, and a stop that always ends it. */
export interface ServerProcess {
  readonly name: string;
  exitCode(): number | null;
  stderr(): string;
  stop(): Promise<void>;
}

const STDERR_TAIL = 4_000;
const KILL_AFTER_MS = 10_000;

/** Throws a message saying how to install `binary` when it is not on PATH. */
export function requireBinary(binary: string, versionFlag: string, install: string): string {
  const found = spawnSync(binary, [versionFlag], { stdio: 'ignore' });
  if (found.error) throw new Error(`${binary} was not found on PATH. Install it with: ${install}`);
  return binary;
}

/** Spawns `binary` with its stdout ignored and the end of its stderr kept. */
export function startServerProcess(name: string, binary: string, args: string[]): ServerProcess {
  const child = spawn(binary, args, { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderrTail = '';
  child.stderr?.on('data', (chunk: Buffer) => {
    stderrTail = (stderrTail + chunk.toString()).slice(-STDERR_TAIL);
  });
  // A binary that cannot be spawned reports through 'error'; it counts as exited.
  let spawnError: Error | undefined;
  const exited = new Promise<void>((done) => {
    child.once('exit', () => done());
    child.once('error', (error) => {
      spawnError = error;
      done();
    });
  });
  return {
    name,
    exitCode: () => (spawnError ? -1 : (child.exitCode ?? (child.signalCode === null ? null : -1))),
    stderr: () => (spawnError ? spawnError.message : stderrTail),
    stop: async () => {
      if (spawnError || child.exitCode !== null || child.signalCode !== null) return;
      child.kill('SIGTERM');
      const killer = setTimeout(() => child.kill('SIGKILL'), KILL_AFTER_MS);
      await exited;
      clearTimeout(killer);
    },
  };
}

/** Polls `url` until it answers 2xx; fails early, with the process's stderr, when the process exits. */
export async function waitUntilReady(process: ServerProcess, url: string, timeoutMs = 30_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    const code = process.exitCode();
    if (code !== null)
      throw new Error(`${process.name} exited with code ${code} before it was ready:\n${process.stderr()}`);
    try {
      const response = await fetch(url);
      if (response.ok) return;
    } catch {
      // Not listening yet.
    }
    await new Promise((done) => setTimeout(done, 100));
  }
  throw new Error(`${process.name} was not ready at ${url} after ${timeoutMs} ms:\n${process.stderr()}`);
}
