// Instructions counted instead of time: a bench script's variant run under valgrind's cachegrind,
// which counts every instruction the process executes, the same on every run and whatever else the
// machine is doing. What a change of a few percent does to a loop is then a count, where the CPU
// times of separate processes on a shared machine differ by more than that.
import { execFile, spawnSync } from 'node:child_process';
import { promisify } from 'node:util';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { VARIANT } from './fresh-process.mjs';

/** Whether valgrind (Debian's `valgrind` package) and its `cg_annotate` can be run here. */
export function cachegrindAvailable() {
  // cg_annotate exits with 255 even for --version: that it starts is what is checked.
  const starts = (command) => spawnSync(command, ['--version'], { stdio: 'ignore' }).error === undefined;
  return starts('valgrind') && starts('cg_annotate');
}

/**
 * Runs `script` (the caller's `import.meta.url`) under cachegrind as `inFreshProcess` would, with
 * `--predictable` (one thread: the garbage collector and the compiler run on the main thread, in a
 * deterministic order) and `extraFlags`, for `variant`. Returns the instructions executed in
 * compiled JavaScript (code V8 generated at run time, which valgrind cannot name) and in V8's
 * builtins (`Builtins_*`), and the whole process's `total`: the rest is V8's C++ runtime, the
 * garbage collector and the compiler among it.
 */
export async function countInstructions(script, variant, extraFlags = []) {
  const dir = mkdtempSync(join(tmpdir(), 'presize-cachegrind-'));
  const out = join(dir, 'cachegrind.out');
  try {
    await promisify(execFile)(
      'valgrind',
      [
        '--tool=cachegrind',
        '--cache-sim=no',
        `--cachegrind-out-file=${out}`,
        process.execPath,
        '--predictable',
        ...process.execArgv,
        ...extraFlags,
        fileURLToPath(script),
      ],
      { env: { ...process.env, [VARIANT]: variant }, maxBuffer: 64 << 20 },
    );
    return functionTotals(out);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

/** Sums cg_annotate's per-function counts of a cachegrind output file. */
function functionTotals(file) {
  const annotated = spawnSync('cg_annotate', ['--threshold=0', '--auto=no', file], {
    encoding: 'utf8',
    maxBuffer: 256 << 20,
  });
  if (annotated.status !== 0) throw new Error(`cg_annotate ${file} failed: ${annotated.stderr}`);
  let compiled = 0;
  let builtins = 0;
  let total;
  for (const line of annotated.stdout.split('\n')) {
    const match = /^\s*([\d,]+)(?: \(\s*[\d.]+%\))?\s+(\S.*)$/.exec(line);
    if (match === null) continue;
    const count = Number(match[1].replaceAll(',', ''));
    const where = match[2];
    if (where.startsWith('PROGRAM TOTALS')) total = count;
    else if (where === '???:???') compiled = count;
    else if (where.includes('Builtins_')) builtins += count;
  }
  if (total === undefined) throw new Error(`cg_annotate ${file} printed no program totals`);
  return { compiled, builtins, total };
}
