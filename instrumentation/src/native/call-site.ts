import { relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Frames looked at: the caller may be a builtin (the Map constructor filling from an iterable). */
const FRAMES = 4;

/**
 * `file:line:column` of the first frame with a file name below `skip` (a function on the stack,
 * excluded with everything above it), relative to the working directory when inside it. Captures
 * a few structured frames, not a formatted stack: this runs once per map found, not per call.
 */
export function callSiteName(skip: (...args: never[]) => unknown, cwd = process.cwd()): string {
  const limit = Error.stackTraceLimit;
  const prepare = Error.prepareStackTrace;
  const holder: { stack?: unknown } = {};
  try {
    Error.stackTraceLimit = FRAMES;
    Error.prepareStackTrace = (_error, frames) => frames;
    Error.captureStackTrace(holder, skip);
    const frames = holder.stack as NodeJS.CallSite[] | undefined;
    for (const frame of frames ?? []) {
      const file = frame.getFileName();
      if (file === undefined || file === null || file === '') continue;
      return `${displayPath(file, cwd)}:${frame.getLineNumber() ?? 0}:${frame.getColumnNumber() ?? 0}`;
    }
  } finally {
    Error.stackTraceLimit = limit;
    Error.prepareStackTrace = prepare;
  }
  return 'unknown-location';
}

function displayPath(file: string, cwd: string): string {
  let path = file;
  if (path.startsWith('file://')) {
    try {
      path = fileURLToPath(path);
    } catch {
      return path;
    }
  }
  const inside = relative(cwd, path);
  return inside !== '' && !inside.startsWith('..') && !inside.startsWith(sep) ? inside : path;
}
