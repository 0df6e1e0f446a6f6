// Writes every generated file of the repository: `npm run generate`. With `--out <dir>` it writes
// into another directory instead (the staleness test compares the two).
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { generateAll } from './all.js';

const { values } = parseArgs({ options: { out: { type: 'string' }, root: { type: 'string' } } });
const root = resolve(values.root ?? join(__dirname, '..', '..'));
const out = resolve(values.out ?? root);
for (const file of generateAll(root)) {
  const target = join(out, file.path);
  mkdirSync(dirname(target), { recursive: true });
  writeFileSync(target, file.content);
}
process.stdout.write(`generated into ${out}\n`);
