import { readWhole, type CaptureReader, type CaptureReadOptions } from './capture-reader.js';
import { LineSlicer, MAX_LINE_CHARS } from './line-slicer.js';
import type { GpuSample } from './sample.js';
import { SampleBuilder } from './sample-builder.js';
import { SMI_CSV_COLUMNS, SMI_CSV_LABEL_COLUMNS, type SmiCsvColumn } from './smi-field-map.js';
import { isSmiMissing, parseSmiValue, SmiValueError } from './smi-values.js';

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

interface CsvLayout {
  readonly header: HeaderColumn[];
  readonly valueColumns: readonly { index: number; mapping: SmiCsvColumn }[];
  readonly labelColumns: readonly { index: number; label: string }[];
}

/**
 * Reads `nvidia-smi --query-gpu=... --format=csv` output, a step of lines at a time: columns are
 * found by their header name, whatever their order, and a column whose header unit is not the one
 * expected is refused rather than misread. A row with the wrong number of fields is skipped and
 * counted.
 */
export class SmiCsvReader extends LineSlicer implements CaptureReader {
  private readonly builder: SampleBuilder;
  /** Undefined before the header; null when the first line was no header, and nothing more is read. */
  private layout: CsvLayout | null | undefined;
  private row = 0;

  constructor(private readonly options: CaptureReadOptions = {}) {
    super();
    this.builder = new SampleBuilder(options.maxSeries);
  }

  protected line(text: string, start: number, end: number, number: number): void {
    const line = text.slice(start, end);
    if (this.layout === null || line.trim() === '') return;
    if (this.layout === undefined) this.layout = this.readHeader(line, number);
    else this.readRow(this.layout, line, number);
  }

  protected tooLong(number: number): void {
    if (this.layout === null) return;
    if (this.layout === undefined) this.layout = this.readHeader('', number);
    else this.builder.malformed(number, `row is longer than ${MAX_LINE_CHARS} characters`);
  }

  result(): GpuSample {
    if (this.layout === undefined) this.builder.malformed(1, 'first line is not an nvidia-smi CSV header');
    return this.builder.build('nvidia-smi-csv');
  }

  private readHeader(line: string, number: number): CsvLayout | null {
    const header = parseHeader(line);
    if (!header) {
      this.builder.malformed(number, 'first line is not an nvidia-smi CSV header');
      return null;
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
        this.builder.malformed(
          number,
          `column ${column.name} is in [${column.unit ?? 'no unit'}], expected [${mapping.unit ?? 'no unit'}]`,
        );
        return;
      }
      valueColumns.push({ index, mapping });
    });
    return { header, valueColumns, labelColumns };
  }

  private readRow({ header, valueColumns, labelColumns }: CsvLayout, line: string, number: number): void {
    const fields = line.split(',').map((field) => field.trim());
    if (fields.length !== header.length) {
      this.builder.malformed(number, `row has ${fields.length} fields, the header has ${header.length}`);
      return;
    }
    const labels: Record<string, string> = { gpu: String(this.row) };
    for (const { index, label } of labelColumns) {
      const value = fields[index] as string;
      if (!isSmiMissing(value)) labels[label] = value;
    }
    if (this.options.hostname !== undefined) labels['Hostname'] = this.options.hostname;
    this.row++;
    const frozen = Object.freeze(labels);
    for (const { index, mapping } of valueColumns) {
      try {
        const value = parseSmiValue(fields[index] as string, mapping.conversion, mapping.unit);
        if (value !== undefined) this.builder.add(mapping.field, frozen, value * (mapping.scale ?? 1));
      } catch (error) {
        if (!(error instanceof SmiValueError)) throw error;
        this.builder.malformed(number, `column ${header[index]?.name}: ${error.message}`);
      }
    }
  }
}

export function readSmiCsv(text: string, options: CaptureReadOptions = {}): GpuSample {
  return readWhole(new SmiCsvReader(options), text);
}
