// Stand-ins for what a GPU source may be pointed at on a real host: a named pipe, an nvidia-smi
// wrapper script that hangs with a child holding its output, an exporter that wants a token.
import { execFileSync } from 'node:child_process';
import { chmodSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

export function namedPipe(dir: string, name: string): string {
  const path = join(dir, name);
  execFileSync('mkfifo', [path]);
  return path;
}

/** A wrapper that records its pid and its child's in `pids`, then waits for the child, which never ends. */
export function hungSmiWrapper(dir: string, pids: string): string {
  const path = join(dir, 'nvidia-smi-hung');
  writeFileSync(path, `#!/bin/sh\necho $$ >> ${pids}\nsleep 300 &\necho $! >> ${pids}\nwait\n`);
  chmodSync(path, 0o755);
  return path;
}
