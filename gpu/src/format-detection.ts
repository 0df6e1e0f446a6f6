import type { GpuCaptureFormat } from './sample.js';
import { isSmiCsvHeader } from './smi-csv-reader.js';

const EXPOSITION_LINE = /^(?:# (?:HELP|TYPE) |[a-zA-Z_:][a-zA-Z0-9_:]*(?:\{|[ \t]+(?:[-+]?(?:\d|\.\d|Inf)|NaN)))/;

/**
 * Which of the three capture formats `text` is, from its first meaningful line: XML starts with
 * `<`, nvidia-smi CSV with its header of column names, an exposition with a metric line or
 * `# HELP`/`# TYPE`. Undefined when it is none of them.
 */
export function detectCaptureFormat(text: string): GpuCaptureFormat | undefined {
  const first = /^\s*(\S[^\n]*)/.exec(text)?.[1]?.replace(/\r$/, '');
  if (first === undefined) return undefined;
  if (first.startsWith('<')) return 'nvidia-smi-xml';
  if (isSmiCsvHeader(first)) return 'nvidia-smi-csv';
  // Line by line rather than text.split, which would walk a capture of megabytes to its end.
  for (let start = 0, lines = 0; start < text.length && lines < 64; lines++) {
    const end = text.indexOf('\n', start);
    const line = text.slice(start, end < 0 ? text.length : end);
    start = end < 0 ? text.length : end + 1;
    const trimmed = line.trim();
    if (trimmed === '' || (trimmed.startsWith('#') && !/^# (HELP|TYPE) /.test(trimmed))) continue;
    return EXPOSITION_LINE.test(trimmed) ? 'dcgm-exporter' : undefined;
  }
  return undefined;
}
