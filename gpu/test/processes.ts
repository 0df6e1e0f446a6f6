import { readFileSync } from 'node:fs';

/**
 * Whether process `pid` still runs. A killed process whose parent is gone stays a zombie until
 * PID 1 reaps it, which not every container's PID 1 does; a zombie runs nothing and holds no pipe.
 */
export function isRunning(pid: number): boolean {
  let stat: string;
  try {
    stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  } catch {
    return false;
  }
  const state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
  return state !== 'Z' && state !== 'X';
}

/** Waits until none of `pids` runs, or `timeoutMs` has passed; returns those still running. */
export async function survivors(pids: readonly number[], timeoutMs = 5000): Promise<number[]> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const running = pids.filter(isRunning);
    if (running.length === 0 || Date.now() > deadline) return running;
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** The pids a stand-in script wrote, one per line, into `file`. */
export function pidsIn(file: string): number[] {
  let text = '';
  try {
    text = readFileSync(file, 'utf8');
  } catch {
    return [];
  }
  return text
    .split('\n')
    .filter((line) => line.trim() !== '')
    .map(Number);
}
