import { readSmiCsv } from '../src/smi-csv-reader.js';
import { readSmiXml, SmiXmlError } from '../src/smi-xml-reader.js';
import { SMI_CSV_COLUMNS, SMI_QUERY_COLUMNS } from '../src/smi-field-map.js';
import { parseSmiValue, SmiValueError } from '../src/smi-values.js';
import { DCGM_FIELDS } from '../src/dcgm-fields.js';
import { fixture, fixturesIn, SMI_CSV, SMI_XML } from './fixtures.js';
import { expectFields, valueOf } from './series.js';

function csvColumns(text: string): { header: string[]; rows: string[][] } {
  const [header, ...rows] = text
    .trim()
    .split('\n')
    .map((line) => line.split(', '));
  return { header: header as string[], rows };
}

describe('nvidia-smi -> DCGM mapping', () => {
  it('maps every column to a DCGM field Presize knows, with its unit', () => {
    for (const mapping of SMI_CSV_COLUMNS) expect(DCGM_FIELDS[mapping.field]).toBeDefined();
    const units = Object.fromEntries(
      SMI_CSV_COLUMNS.map((mapping) => [
        mapping.columns[0],
        `${mapping.unit ?? ''}->${DCGM_FIELDS[mapping.field]?.unit}`,
      ]),
    );
    expect(units).toMatchObject({
      'memory.used': 'MiB->MiBy',
      'power.draw': 'W->W',
      'temperature.gpu': '->Cel',
      'utilization.gpu': '%->%',
      'clocks.current.sm': 'MHz->MHz',
      'clocks_event_reasons_counters.sw_power_cap': 'us->ns',
    });
  });

  it.each(fixturesIn('nvidia-smi/captures').map(([path, text]) => [path, text]))(
    'asks only for fields that the --help-query-gpu of %s lists',
    (_path, text) => {
      const help = text.slice(
        text.indexOf('# $ nvidia-smi --help-query-gpu'),
        text.indexOf('# $ nvidia-smi --help-query-compute-apps'),
      );
      expect(help.length).toBeGreaterThan(1000);
      for (const column of SMI_QUERY_COLUMNS) expect([column, help.includes(`"${column}"`)]).toEqual([column, true]);
    },
  );

  it('finds columns by header name, whatever their order', () => {
    const { header, rows } = csvColumns(fixture(SMI_CSV.h100Load));
    const order = header.map((_, index) => index).reverse();
    const shuffled = [
      order.map((index) => header[index]).join(', '),
      ...rows.map((row) => order.map((index) => row[index]).join(', ')),
    ].join('\n');
    const original = readSmiCsv(fixture(SMI_CSV.h100Load));
    const reversed = readSmiCsv(shuffled);
    const byField = (sample: typeof original): Record<string, number> =>
      Object.fromEntries(sample.series.map((series) => [series.field, series.value]));
    expect(byField(reversed)).toEqual(byField(original));
    expect(reversed.series).toHaveLength(original.series.length);
  });

  it('reads the columns the nvidia-smi source asks for, under their short names', () => {
    const header = SMI_QUERY_COLUMNS.map((column) => {
      const mapping = SMI_CSV_COLUMNS.find((candidate) => candidate.columns.includes(column));
      return mapping?.unit ? `${column} [${mapping.unit}]` : column;
    });
    const row = [
      '3',
      'GPU-abc',
      'NVIDIA L4',
      '00000000:31:00.0',
      '580.105.08',
      '57 %',
      '12 %',
      '0 %',
      '0 %',
      '23034 MiB',
      '4000 MiB',
      '18563 MiB',
      '61',
      '55.10 W',
      '1830 MHz',
      '6250 MHz',
      '4',
      '16',
      'P0',
      '0x0000000000000004',
      '0',
      '0',
    ];
    const sample = readSmiCsv(`${header.join(', ')}\n${row.join(', ')}\n`, { hostname: 'node-a' });
    expect(sample.malformed).toEqual([]);
    expectFields(sample, {
      DCGM_FI_DEV_GPU_UTIL: 57,
      DCGM_FI_DEV_SM_CLOCK: 1830,
      DCGM_FI_DEV_CLOCKS_EVENT_REASONS: 4,
    });
    expect(sample.series[0]?.labels).toEqual({
      gpu: '3',
      UUID: 'GPU-abc',
      modelName: 'NVIDIA L4',
      pci_bus_id: '00000000:31:00.0',
      DCGM_FI_DRIVER_VERSION: '580.105.08',
      Hostname: 'node-a',
    });
  });

  it('treats [N/A], N/A and [Requested functionality has been deprecated] as missing, not as zero or malformed', () => {
    const text =
      'index, utilization.gpu [%], memory.used [MiB], power.draw [W], temperature.memory\n0, [N/A], [Requested functionality has been deprecated], [Not Supported], N/A\n';
    const sample = readSmiCsv(text);
    expect(sample.series).toEqual([]);
    expect(sample.malformed).toEqual([]);
  });

  it('refuses a column whose header unit is not the expected one, rather than misreading it', () => {
    const sample = readSmiCsv('index, memory.used [GiB], power.draw [W]\n0, 19, 300.5 W\n');
    expect(sample.malformed).toEqual([{ line: 1, reason: 'column memory.used is in [GiB], expected [MiB]' }]);
    expectFields(sample, {
      DCGM_FI_DEV_FB_USED: undefined,
      DCGM_FI_DEV_POWER_USAGE: 300.5,
    });
  });

  it('skips and counts a row with the wrong number of fields and a value in the wrong unit', () => {
    const sample = readSmiCsv('index, power.draw [W], temperature.gpu\n0, 100 W, 50\n1, 90 W\n2, 80 mW, 40\n');
    expect(sample.malformed).toEqual([
      { line: 3, reason: 'row has 2 fields, the header has 3' },
      { line: 4, reason: 'column power.draw: "80 mW" is in mW, expected W' },
    ]);
    expect(sample.series.map((series) => [series.labels['gpu'], series.field, series.value])).toEqual([
      ['0', 'DCGM_FI_DEV_POWER_USAGE', 100],
      ['0', 'DCGM_FI_DEV_GPU_TEMP', 50],
      ['2', 'DCGM_FI_DEV_GPU_TEMP', 40],
    ]);
  });

  it('converts nvidia-smi words: masks, flags, P-states', () => {
    expect(parseSmiValue('0x00000000000000C4', 'hex')).toBe(0xc4);
    expect(parseSmiValue('Not Active', 'flag')).toBe(0);
    expect(parseSmiValue('Yes', 'flag')).toBe(1);
    expect(parseSmiValue('P8', 'pstate')).toBe(8);
    expect(parseSmiValue('16x', 'number', 'x')).toBe(16);
    expect(() => parseSmiValue('Maybe', 'flag')).toThrow(SmiValueError);
    expect(() => parseSmiValue('P', 'pstate')).toThrow(SmiValueError);
  });

  it('reads power from power_readings (DTD v11) and gpu_power_readings (DTD v12)', () => {
    expect(valueOf(readSmiXml(fixture(SMI_XML.t4)), 'DCGM_FI_DEV_ENFORCED_POWER_LIMIT')).toBe(70);
    expect(valueOf(readSmiXml(fixture(SMI_XML.a100)), 'DCGM_FI_DEV_ENFORCED_POWER_LIMIT', { gpu: '0' })).toBe(500);
  });

  it('refuses XML that is cut short or is not nvidia-smi output', () => {
    const xml = fixture(SMI_XML.t4);
    expect(() => readSmiXml(xml.slice(0, xml.length / 2))).toThrow(SmiXmlError);
    expect(() => readSmiXml('<other></other>\n</nvidia_smi_log>')).toThrow('no <nvidia_smi_log> root');
  });

  it('counts an XML value that is not in its unit as malformed, with the GPU and field named', () => {
    const xml = fixture(SMI_XML.t4).replace('<power_draw>26.78 W</power_draw>', '<power_draw>26.78 kW</power_draw>');
    const sample = readSmiXml(xml);
    expect(sample.malformed).toEqual([
      { line: 0, reason: 'gpu 0 DCGM_FI_DEV_POWER_USAGE: "26.78 kW" is in kW, expected W' },
    ]);
    expect(valueOf(sample, 'DCGM_FI_DEV_GPU_TEMP')).toBe(40);
  });
});
