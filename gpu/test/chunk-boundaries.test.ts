// Reading a capture as chunks cut anywhere (inside a line, between CR and LF, inside a UTF-8
// character, inside a <gpu> element) gives exactly what reading it whole gives.
import fc from 'fast-check';
import { XMLParser } from 'fast-xml-parser';
import { readCapture, readCaptureChunks } from '../src/read-capture.js';
import type { GpuCaptureFormat, GpuSample } from '../src/sample.js';
import { SampleBuilder } from '../src/sample-builder.js';
import { readGpuElement, readSmiXml, SMI_XML_PARSER_OPTIONS } from '../src/smi-xml-reader.js';
import { fixture, SMI_CSV } from './fixtures.js';
import { smiXmlGpuElements, smiXmlOf } from './large-captures.js';

const never = new AbortController().signal;

/**
 * The bytes of `text`, cut at the given offsets, and inside the multi-byte characters the
 * `inside` numbers pick (a cut anywhere would seldom fall in one of a few such characters).
 */
function cut(text: string, offsets: readonly number[], inside: readonly number[]): Buffer[] {
  const bytes = Buffer.from(text);
  const continuations: number[] = [];
  bytes.forEach((byte, at) => {
    if ((byte & 0xc0) === 0x80) continuations.push(at);
  });
  const points = [
    ...new Set([
      ...offsets.map((offset) => offset % (bytes.length + 1)),
      ...(continuations.length === 0 ? [] : inside.map((pick) => continuations[pick % continuations.length] as number)),
    ]),
  ].sort((a, b) => a - b);
  const chunks: Buffer[] = [];
  let from = 0;
  for (const point of [...points, bytes.length]) {
    chunks.push(bytes.subarray(from, point));
    from = point;
  }
  return chunks;
}

const cuts = fc.tuple(fc.array(fc.nat(), { maxLength: 40 }), fc.array(fc.nat(), { maxLength: 8 }));

async function sameAsWhole(
  text: string,
  [offsets, inside]: [number[], number[]],
  format: GpuCaptureFormat,
): Promise<void> {
  const whole: GpuSample = readCapture(text, format);
  expect(await readCaptureChunks(cut(text, offsets, inside), never, format)).toEqual(whole);
}

// Characters of one, two, three and four UTF-8 bytes, and the ones the format escapes.
const textUnit = fc.constantFrom(
  'a',
  'Z',
  '0',
  ' ',
  '_',
  ',',
  '{',
  '}',
  '=',
  '"',
  '\\',
  '\n',
  'é',
  'ü',
  '€',
  '✓',
  '😀',
);
const labelValue = fc
  .string({ unit: textUnit, maxLength: 12 })
  .map((value) => value.replace(/\\/g, '\\\\').replace(/"/g, '\\"').replace(/\n/g, '\\n'));
const metricName = fc.constantFrom(
  'DCGM_FI_DEV_GPU_UTIL',
  'DCGM_FI_DEV_FB_USED',
  'DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION',
  'DCGM_FI_PROF_PIPE_TENSOR_ACTIVE',
  'up',
);
const sampleLine = fc
  .tuple(
    metricName,
    fc.array(fc.tuple(fc.constantFrom('gpu', 'UUID', 'pod', 'modelName', 'Hostname', 'err_msg'), labelValue), {
      maxLength: 4,
    }),
    fc.oneof(
      fc.integer({ min: -5, max: 100_000 }).map(String),
      fc.double({ noNaN: true }).map(String),
      fc.constant('NaN'),
    ),
    fc.option(fc.integer({ min: 0, max: 2 ** 40 }).map(String)),
  )
  .map(([name, labels, value, timestamp]) => {
    const unique = [...new Map(labels).entries()];
    const set = unique.length === 0 ? '' : `{${unique.map(([label, v]) => `${label}="${v}"`).join(',')}}`;
    return `${name}${set} ${value}${timestamp === null ? '' : ` ${timestamp}`}`;
  });
const commentText = fc.string({ unit: textUnit, maxLength: 20 }).map((text) => text.replace(/\n/g, ' '));
const line = fc.oneof(
  { weight: 6, arbitrary: sampleLine },
  { weight: 1, arbitrary: fc.tuple(metricName, commentText).map(([name, help]) => `# HELP ${name} ${help}`) },
  { weight: 1, arbitrary: metricName.map((name) => `# TYPE ${name} gauge`) },
  { weight: 1, arbitrary: commentText.map((text) => `# ${text}`) },
  { weight: 1, arbitrary: fc.constantFrom('', '  ', 'bad line here', 'x{a="b" 1', 'DCGM_FI_DEV_GPU_UTIL{gpu="0"}') },
);
const exposition = fc
  .tuple(fc.array(fc.tuple(line, fc.constantFrom('\n', '\r\n')), { minLength: 1, maxLength: 30 }), fc.boolean())
  .map(([lines, finalNewline]) => {
    const text = lines.map(([l, end]) => `${l}${end}`).join('');
    return finalNewline ? text : text.replace(/\r?\n$/, '');
  });

describe('a capture read as chunks cut anywhere reads as the whole capture', () => {
  it('dcgm-exporter text: CRLF, escaped label values, comments, malformed lines, multi-byte characters', async () => {
    await fc.assert(
      fc.asyncProperty(exposition, cuts, (text, where) => sameAsWhole(text, where, 'dcgm-exporter')),
      { numRuns: 300 },
    );
  }, 60_000);

  it('nvidia-smi CSV: real rows, names with multi-byte characters, rows cut short, CRLF', async () => {
    const [header, ...rows] = fixture(SMI_CSV.h100Load)
      .split('\n')
      .filter((row) => row !== '');
    const row = fc
      .tuple(fc.constantFrom(...rows), fc.string({ unit: textUnit, maxLength: 6 }), fc.boolean())
      .map(([real, suffix, whole]) => {
        const named = real.replace('NVIDIA H100 80GB HBM3', `NVIDIA H100${suffix.replace(/[,\n]/g, '')}`);
        return whole ? named : named.slice(0, named.length >> 1);
      });
    const csv = fc
      .tuple(fc.array(row, { minLength: 1, maxLength: 12 }), fc.constantFrom('\n', '\r\n'))
      .map(([lines, end]) => `${header}${end}${lines.join(end)}${end}`);
    await fc.assert(
      fc.asyncProperty(csv, cuts, (text, where) => sameAsWhole(text, where, 'nvidia-smi-csv')),
      { numRuns: 100 },
    );
  }, 60_000);

  it('nvidia-smi XML: the real <gpu> elements in any number and order, product names with multi-byte characters, CRLF', async () => {
    const elements = smiXmlGpuElements();
    const document = fc
      .tuple(
        fc.array(fc.tuple(fc.nat(elements.length - 1), fc.string({ unit: textUnit, maxLength: 4 })), {
          minLength: 1,
          maxLength: 5,
        }),
        fc.boolean(),
      )
      .map(([picks, crlf]) => {
        const xml = smiXmlOf(
          picks.map(([index, suffix]) =>
            (elements[index] as string).replace(
              /<product_name>([^<]*)<\/product_name>/,
              (_m, name: string) => `<product_name>${name}${suffix.replace(/[<>&"\\\n]/g, '')}</product_name>`,
            ),
          ),
        );
        return crlf ? xml.replace(/\n/g, '\r\n') : xml;
      });
    await fc.assert(
      fc.asyncProperty(document, cuts, async (text, where) => {
        await sameAsWhole(text, where, 'nvidia-smi-xml');
        expect(readSmiXml(text)).toEqual(readWholeDocument(text));
      }),
      { numRuns: 30 },
    );
  }, 120_000);
});

/** The document parsed by fast-xml-parser in one call, each GPU read as the reader reads it. */
function readWholeDocument(text: string): GpuSample {
  const parsed = new XMLParser(SMI_XML_PARSER_OPTIONS).parse(text) as {
    nvidia_smi_log: { driver_version?: string; gpu?: unknown[] };
  };
  const log = parsed.nvidia_smi_log;
  const builder = new SampleBuilder();
  (log.gpu ?? []).forEach((gpu, position) => readGpuElement(builder, gpu, position, log.driver_version?.trim(), {}));
  return builder.build('nvidia-smi-xml');
}
