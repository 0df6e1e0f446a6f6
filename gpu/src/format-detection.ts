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
  for (const line of text.split('\n', 64)) {
    const trimmed = line.trim();
    if (trimmed === '' || (trimmed.startsWith('#') && !/^# (HELP|TYPE) /.test(trimmed))) continue;
    return EXPOSITION_LINE.test(trimmed) ? 'dcgm-exporter' : undefined;
  }
  return undefined;
}
