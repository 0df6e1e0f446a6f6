import { constants, type Stats } from 'node:fs';
import { open, stat } from 'node:fs/promises';
import { GpuSourceError, MAX_CAPTURE_BYTES } from './source.js';

const CHUNK_BYTES = 64 * 1024;

/** What a file that is not a regular file is, for the message that refuses it. */
function kindOf(stats: Stats): string | undefined {
  if (stats.isFile()) return undefined;
  if (stats.isFIFO()) return 'a named pipe';
  if (stats.isCharacterDevice()) return 'a character device';
  if (stats.isBlockDevice()) return 'a block device';
  if (stats.isDirectory()) return 'a directory';
  if (stats.isSocket()) return 'a socket';
  return 'not a regular file';
}

function tooLarge(path: string): GpuSourceError {
  return new GpuSourceError('body_too_large', `${path} is larger than ${MAX_CAPTURE_BYTES} bytes`);
}

function refuse(path: string, stats: Stats): void {
  const kind = kindOf(stats);
  if (kind !== undefined)
    throw new GpuSourceError('read_failed', `${path} is ${kind}; only a regular file can be replayed`);
}

/**
 * The bytes of the regular file at `path`, at most MAX_CAPTURE_BYTES of them, a chunk at a time;
 * a chunk is only valid until the next one is asked for.
 *
 * Every open and read runs on one of libuv's four threadpool threads, shared with the
 * application's `fs` and `dns`. Opening a named pipe blocks its thread until a writer comes, and
 * a device such as /dev/zero never ends, so only regular files are read: checked by path before
 * opening, opened with O_NONBLOCK (a pipe swapped in after the check then opens without waiting),
 * and checked again on the handle before any read. The cap counts the bytes actually read, since
 * a file may grow while it is read.
 */
export async function* readRegularFile(path: string, signal: AbortSignal): AsyncGenerator<Uint8Array> {
  refuse(path, await stat(path));
  const handle = await open(path, constants.O_RDONLY | constants.O_NONBLOCK);
  try {
    const stats = await handle.stat();
    refuse(path, stats);
    if (stats.size > MAX_CAPTURE_BYTES) throw tooLarge(path);
    const buffer = Buffer.allocUnsafe(CHUNK_BYTES);
    let total = 0;
    for (;;) {
      signal.throwIfAborted();
      const { bytesRead } = await handle.read(buffer, 0, CHUNK_BYTES, null);
      if (bytesRead === 0) break;
      total += bytesRead;
      if (total > MAX_CAPTURE_BYTES) throw tooLarge(path);
      yield buffer.subarray(0, bytesRead);
    }
  } finally {
    await handle.close();
  }
}
