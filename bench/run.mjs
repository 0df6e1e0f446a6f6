// `npm run bench`: runs every bench/*.bench.mjs (and <workspace>/bench/*.bench.mjs), each in a
// child process of its own with --expose-gc, one after another (the machine is small; parallel
// runs would time each other), and writes bench/RESULTS.md from the Markdown sections they report
// (see bench/lib.mjs). A script that reports nothing gets its standard output quoted instead.
//
//   node bench/run.mjs                 every benchmark; writes bench/RESULTS.md
//   node bench/run.mjs map-latency     only the files whose name contains one of the words; prints
//   node bench/run.mjs --quick         small sizes, a smoke run; prints
//
// A script may ask for more Node flags with a comment line `// bench-node-flags: <flags>`, and for
// a longer time limit than the default with `// bench-time-limit-seconds: <seconds>`.
import { spawn } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { machine } from './lib.mjs';

const benchDir = dirname(fileURLToPath(import.meta.url));
const rootDir = dirname(benchDir);
const TIME_LIMIT_MS = Number(process.env.PRESIZE_BENCH_TIME_LIMIT_MS ?? 600_000);

const args = process.argv.slice(2);
const isQuick = args.includes('--quick');
const filters = args.filter((a) => !a.startsWith('--'));
const workspaces = JSON.parse(readFileSync(join(rootDir, 'package.json'), 'utf8')).workspaces ?? [];
const scripts = ['bench', ...workspaces.map((w) => `${w}/bench`)]
  .filter((dir) => existsSync(join(rootDir, dir)))
  .flatMap((dir) => readdirSync(join(rootDir, dir)).map((f) => `${dir}/${f}`))
  .filter((f) => f.endsWith('.bench.mjs'))
  .filter((f) => filters.length === 0 || filters.some((w) => f.includes(w)))
  .sort();
if (scripts.length === 0) {
  console.error(`no bench/*.bench.mjs matches ${filters.join(', ')}`);
  process.exit(1);
}

function nodeFlagsOf(file) {
  const match = /^\/\/ bench-node-flags:(.*)$/m.exec(readFileSync(file, 'utf8'));
  return match ? match[1].trim().split(/\s+/).filter(Boolean) : [];
}

/** The script's own limit when it names one, else TIME_LIMIT_MS; PRESIZE_BENCH_TIME_LIMIT_MS still overrides both. */
function timeLimitOf(file) {
  if (process.env.PRESIZE_BENCH_TIME_LIMIT_MS) return TIME_LIMIT_MS;
  const match = /^\/\/ bench-time-limit-seconds:\s*(\d+)\s*$/m.exec(readFileSync(file, 'utf8'));
  return match ? Number(match[1]) * 1000 : TIME_LIMIT_MS;
}

function runScript(file, reportPath) {
  const flags = ['--expose-gc', ...nodeFlagsOf(file)];
  return new Promise((resolve) => {
    const started = Date.now();
    const child = spawn(process.execPath, [...flags, file], {
      cwd: rootDir,
      stdio: ['ignore', 'pipe', 'inherit'],
      env: { ...process.env, PRESIZE_BENCH_REPORT: reportPath, PRESIZE_BENCH_QUICK: isQuick ? '1' : '0' },
    });
    let stdout = '';
    child.stdout.setEncoding('utf8');
    child.stdout.on('data', (chunk) => {
      stdout += chunk;
      process.stderr.write(chunk);
    });
    const timer = setTimeout(() => child.kill('SIGKILL'), timeLimitOf(file));
    child.on('close', (code, signal) => {
      clearTimeout(timer);
      resolve({ code, signal, stdout, seconds: (Date.now() - started) / 1000 });
    });
  });
}

const host = machine();
const startedAt = new Date();
console.error(`Benchmarks on ${host.cpu}, ${host.cores} cores, Node ${host.node} (load ${host.loadAverage})`);
const work = mkdtempSync(join(tmpdir(), 'presize-bench-'));
const sections = [];
const failures = [];
try {
  for (const [i, script] of scripts.entries()) {
    console.error(`\n[${i + 1}/${scripts.length}] ${script}`);
    const reportPath = join(work, `${i}-${basename(script, '.mjs')}.md`);
    const outcome = await runScript(join(rootDir, script), reportPath);
    console.error(`  ${script}: ${outcome.seconds.toFixed(0)} s`);
    if (outcome.code === 0 && existsSync(reportPath)) {
      sections.push(readFileSync(reportPath, 'utf8').trim());
    } else if (outcome.code === 0) {
      sections.push([`## ${script}`, '', '```', outcome.stdout.trimEnd(), '```'].join('\n'));
    } else {
      const why = outcome.signal
        ? `killed by ${outcome.signal} after ${outcome.seconds.toFixed(0)} s`
        : `exit code ${outcome.code}`;
      failures.push(`${script}: ${why}`);
    }
  }
} finally {
  rmSync(work, { recursive: true, force: true });
}

const minutes = ((Date.now() - startedAt.getTime()) / 60_000).toFixed(1);
const document = [
  '# Benchmark results',
  '',
  `Written by \`npm run bench\` on ${startedAt.toISOString().slice(0, 16).replace('T', ' ')} UTC in ${minutes} min.`,
  'Every comparison ran side by side in the same process; ratios compare medians of repeated runs.',
  '',
  '| Machine | |',
  '| --- | --- |',
  `| CPU | ${host.cpu} |`,
  `| Cores | ${host.cores} (shared with other work while this ran: load average ${host.loadAverage} at the start) |`,
  `| Memory | ${host.memoryGiB} GiB |`,
  `| Node.js | ${host.node} (V8 ${host.v8}) |`,
  `| OS | ${host.os} |`,
  '',
  ...(failures.length ? ['## Failed benchmarks', '', ...failures.map((f) => `- ${f}`), ''] : []),
  sections.join('\n\n'),
  '',
].join('\n');

if (isQuick || filters.length > 0) {
  process.stdout.write(document);
} else {
  writeFileSync(join(benchDir, 'RESULTS.md'), document);
  console.error(`\nWrote bench/RESULTS.md (${minutes} min)`);
}
if (failures.length) {
  console.error(`\n${failures.length} benchmark(s) failed:\n${failures.join('\n')}`);
  process.exitCode = 1;
}
