// The checked-in API reports (`<package>/api-report.md`) match the built packages: a change to a
// public surface cannot land without its report, so it shows in review.
import { execFileSync } from 'node:child_process';
import { resolve } from 'node:path';

const ROOT = resolve(__dirname, '..');

test('every published package has an up-to-date API report', () => {
  let failure = '';
  try {
    execFileSync(process.execPath, ['scripts/api-report.mjs', '--check'], {
      cwd: ROOT,
      encoding: 'utf8',
      stdio: 'pipe',
    });
  } catch (error) {
    failure = String((error as { stderr?: string }).stderr);
  }
  expect(failure).toBe('');
}, 60_000);
