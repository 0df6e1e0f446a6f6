import type { GpuSample } from './sample.js';
import { SampleBuilder } from './sample-builder.js';
import { SMI_CSV_COLUMNS, SMI_CSV_LABEL_COLUMNS, type SmiCsvColumn } from './smi-field-map.js';
import { isSmiMissing, parseSmiValue, SmiValueError } from './smi-values.js';

export interface SmiReadOptions {
  /** Value of the `Hostname` label; nvidia-smi does not print the host. */
  hostname?: string;
}

interface HeaderColumn {
  readonly name: string;
  readonly unit?: string;
}

const HEADER_COLUMN = /^([A-Za-z_][\w.]*)(?: \[([^\]]+)\])?$/;

function parseHeader(line: string): HeaderColumn[] | undefined {
  const columns: HeaderColumn[] = [];
  for (const raw of line.split(',')) {
    const match = HEADER_COLUMN.exec(raw.trim());
    if (!match) return undefined;
    columns.push(match[2] === undefined ? { name: match[1] as string } : { name: match[1] as string, unit: match[2] });
  }
  return columns;
}

/** True when `line` reads as the header of `nvidia-smi --query-gpu=... --format=csv`. */
export function isSmiCsvHeader(line: string): boolean {
  const columns = parseHeader(line);
  return (
    columns !== undefined && columns.some((column) => column.name in SMI_CSV_LABEL_COLUMNS || column.unit !== undefined)
  );
}

/**
 * Reads `nvidia-smi --query-gpu=... --format=csv` output: columns are found by their header name,
 * whatever their order, and a column whose header unit is not the one expected is refused rather
 * than misread. A row with the wrong number of fields is skipped and counted.
 */
export function readSmiCsv(text: string, options: SmiReadOptions = {}): GpuSample {
  const builder = new SampleBuilder();
  const lines = text.split('\n');
  let headerIndex = 0;
  while (headerIndex < lines.length && (lines[headerIndex] as string).trim() === '') headerIndex++;
  const header = parseHeader((lines[headerIndex] ?? '').replace(/\r$/, ''));
  if (!header) {
    builder.malformed(headerIndex + 1, 'first line is not an nvidia-smi CSV header');
    return builder.build('nvidia-smi-csv');
  }
  const valueColumns: { index: number; mapping: SmiCsvColumn }[] = [];
  const labelColumns: { index: number; label: string }[] = [];
  header.forEach((column, index) => {
    const label = SMI_CSV_LABEL_COLUMNS[column.name];
    if (label !== undefined && Object.prototype.hasOwnProperty.call(SMI_CSV_LABEL_COLUMNS, column.name)) {
      labelColumns.push({ index, label });
      return;
    }
    const mapping = SMI_CSV_COLUMNS.find((candidate) => candidate.columns.includes(column.name));
    if (!mapping) return;
    if (column.unit !== mapping.unit) {
      builder.malformed(
        headerIndex + 1,
        `column ${column.name} is in [${column.unit ?? 'no unit'}], expected [${mapping.unit ?? 'no unit'}]`,
      );
      return;
    }
    valueColumns.push({ index, mapping });
  });

  let row = 0;
  for (let lineIndex = headerIndex + 1; lineIndex < lines.length; lineIndex++) {
    const line = (lines[lineIndex] as string).replace(/\r$/, '');
    if (line.trim() === '') continue;
    const fields = line.split(',').map((field) => field.trim());
    if (fields.length !== header.length) {
      builder.malformed(lineIndex + 1, `row has ${fields.length} fields, the header has ${header.length}`);
      continue;
    }
    const labels: Record<string, string> = { gpu: String(row) };
    for (const { index, label } of labelColumns) {
      const value = fields[index] as string;
      if (!isSmiMissing(value)) labels[label] = value;
    }
    if (options.hostname !== undefined) labels['Hostname'] = options.hostname;
    row++;
    const frozen = Object.freeze(labels);
    for (const { index, mapping } of valueColumns) {
      try {
        const value = parseSmiValue(fields[index] as string, mapping.conversion, mapping.unit);
        if (value !== undefined) builder.add(mapping.field, frozen, value * (mapping.scale ?? 1));
      } catch (error) {
        if (!(error instanceof SmiValueError)) throw error;
        builder.malformed(lineIndex + 1, `column ${header[index]?.name}: ${error.message}`);
      }
    }
  }
  return builder.build('nvidia-smi-csv');
}
