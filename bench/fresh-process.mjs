// A measurement per process: a bench script starts itself again for each variant it compares, so
// that no variant inherits another's JIT type feedback, heap state or garbage. The child learns
// which variant it measures from the environment and hands its figures back as one line of JSON.
import { spawnSync } from 'node:child_process';
import { fileURLToPath } from 'node:url';

/** The environment variable that tells a started process which variant it measures. */
export const VARIANT = 'PRESIZE_BENCH_VARIANT';

/** The variant this process was started to measure, or undefined in the process that drives the runs. */
export const freshProcessVariant = () => process.env[VARIANT];

/**
 * Runs `script` (the caller's `import.meta.url`) in a new Node process with this process's flags
 * (`--expose-gc` among them) plus `extraFlags`, to measure `variant`; returns what the child gave to
 * `reportToDriver`. The child's standard error (its progress) passes through.
 */
export function inFreshProcess(script, variant, extraFlags = []) {
  const child = spawnSync(process.execPath, [...process.execArgv, ...extraFlags, fileURLToPath(script)], {
    env: { ...process.env, [VARIANT]: variant },
    stdio: ['ignore', 'pipe', 'inherit'],
    encoding: 'utf8',
  });
  if (child.status !== 0) {
    const why = child.signal ? `killed by ${child.signal}` : `exit code ${child.status}`;
    throw new Error(`the ${variant} run of ${fileURLToPath(script)} failed (${why}); its standard error is above`);
  }
  return JSON.parse(child.stdout.trim().split('\n').pop());
}

/** In a process started by `inFreshProcess`: hands the figures back to the driving process. */
export function reportToDriver(figures) {
  process.stdout.write(`${JSON.stringify(figures)}\n`);
}

/**
 * A bench script's entry point when it compares variants: in a process `inFreshProcess` started,
 * measures its variant and hands the figures back; in the driving process, runs `compare`.
 */
export async function measureOrCompare(measure, compare) {
  const variant = freshProcessVariant();
  if (variant === undefined) await compare();
  else reportToDriver(await measure(variant));
}
