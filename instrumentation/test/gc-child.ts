import { spawnSync } from 'node:child_process';

/**
 * Runs a script in a Node.js process of its own with `--expose-gc`, so that it can force full
 * collections the same way on every Node.js version (jest's module sandbox and `vm` contexts
 * make `gc` unreliable inside the test process). The script imports the built package and prints
 * its result as JSON on its last line of standard output.
 */
export function runGcScript<T>(file: string, args: string[] = [], timeoutMs = 120_000): T {
  const run = spawnSync(process.execPath, ['--expose-gc', file, ...args], {
    encoding: 'utf8',
    timeout: timeoutMs,
    maxBuffer: 64 * 2 ** 20,
  });
  if (run.status !== 0) {
    throw new Error(`${file} ${args.join(' ')} failed (${run.status ?? run.signal}): ${run.stderr}`);
  }
  const last = run.stdout.trim().split('\n').at(-1) ?? 'null';
  return JSON.parse(last) as T;
}
