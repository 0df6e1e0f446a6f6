// A large capture is read a slice at a time: the event loop turns between slices, so the host's
// own work never waits for a whole capture. Asserted by counting turns and the work of each step,
// not by timing them (the delays are measured in gpu/bench/gpu-parse.bench.mjs).
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SLICE_CHARS, SLICE_ITEMS } from '../src/event-loop-turn.js';
import { LineSlicer, MAX_LINE_CHARS } from '../src/line-slicer.js';
import { readCapture, readCaptureChunks } from '../src/read-capture.js';
import { MAX_GPU_ELEMENT_CHARS, MAX_PARSED_GPU_ELEMENT_CHARS, SmiXmlError } from '../src/smi-xml-reader.js';
import { FileSource } from '../src/sources/file-source.js';
import { largeScrape, largeSmiCsv, largeSmiXml } from './large-captures.js';
import { harness } from './otel-harness.js';

/** Counts the turns of the event loop while `work` runs. */
async function turnsDuring<T>(work: () => Promise<T>): Promise<{ result: T; turns: number }> {
  let turns = 0;
  let running = true;
  const turn = (): void => {
    if (!running) return;
    turns++;
    setImmediate(turn);
  };
  setImmediate(turn);
  try {
    return { result: await work(), turns };
  } finally {
    running = false;
  }
}

/** `text` as the 64 KiB chunks a file or a response body comes in. */
function chunksOf(text: string, size = 64 * 1024): Buffer[] {
  const bytes = Buffer.from(text);
  const chunks: Buffer[] = [];
  for (let at = 0; at < bytes.length; at += size) chunks.push(bytes.subarray(at, at + size));
  return chunks;
}

const never = new AbortController().signal;
const scrape = largeScrape(4 * 1024 * 1024);
const csv = largeSmiCsv(2000);
const xml = largeSmiXml(100);
const slices = (text: string): number => Math.floor(Buffer.byteLength(text) / SLICE_CHARS);

// A turn after every step: one step at least per slice of text, one per <gpu> element besides.
describe.each<[string, string, number]>([
  ['a dcgm-exporter scrape of 4 MiB', scrape, slices(scrape)],
  ['nvidia-smi CSV of 2,000 GPUs', csv, slices(csv)],
  ['nvidia-smi XML of 100 GPUs', xml, slices(xml) + 100],
])('%s', (_name, text, minimumTurns) => {
  it('is read with the event loop turning at least once per slice (or per <gpu> element), to the same sample as a read at once', async () => {
    const { result, turns } = await turnsDuring(() => readCaptureChunks(chunksOf(text), never));
    expect(turns).toBeGreaterThanOrEqual(minimumTurns);
    expect(result).toEqual(readCapture(text));
    expect(result.series.length).toBeGreaterThan(1000);
  });

  it('stops at the next slice once its signal aborts, rather than reading on', async () => {
    const controller = new AbortController();
    const reason = new Error('superseded');
    let turnsAfterAbort = 0;
    let turns = 0;
    const turn = (): void => {
      turns++;
      if (turns === 3) controller.abort(reason);
      if (controller.signal.aborted) turnsAfterAbort++;
      if (turnsAfterAbort < 1000) setImmediate(turn);
    };
    setImmediate(turn);
    await expect(readCaptureChunks(chunksOf(text), controller.signal)).rejects.toBe(reason);
    expect(turnsAfterAbort).toBeLessThanOrEqual(2);
    turnsAfterAbort = 1000;
  });
});

/** The lines a LineSlicer hands over, as `number:text`, or `number:too long`. */
class LinesSeen extends LineSlicer {
  readonly seen: string[] = [];
  protected line(text: string, start: number, end: number, number: number): void {
    this.seen.push(`${number}:${text.slice(start, end)}`);
  }
  protected tooLong(number: number): void {
    this.seen.push(`${number}:too long`);
  }
}

describe('a step of reading', () => {
  it('hands over at most SLICE_ITEMS lines, however many the text has', () => {
    const lines = new LinesSeen();
    lines.write('a 1\n'.repeat(5 * SLICE_ITEMS + 7));
    lines.end();
    const perStep: number[] = [];
    let more = true;
    while (more) {
      const before = lines.seen.length;
      more = lines.step();
      perStep.push(lines.seen.length - before);
    }
    expect(Math.max(...perStep)).toBe(SLICE_ITEMS);
    expect(perStep.reduce((a, b) => a + b, 0)).toBe(5 * SLICE_ITEMS + 7);
  });

  it('skips a line longer than MAX_LINE_CHARS without keeping it, reporting it once by its number', () => {
    const lines = new LinesSeen();
    lines.write('a 1\nb');
    for (let piece = 0; piece < (3 * MAX_LINE_CHARS) / SLICE_CHARS; piece++) {
      while (lines.step());
      lines.write('x'.repeat(SLICE_CHARS));
    }
    lines.write('\r\nc 2\r');
    lines.end();
    while (lines.step());
    expect(lines.seen).toEqual(['1:a 1', '2:too long', '3:c 2']);
  });
});

describe('what one step could cost is bounded', () => {
  it('a dcgm-exporter line longer than MAX_LINE_CHARS is skipped as malformed, named by its number, the others read', async () => {
    const long = `DCGM_FI_DEV_GPU_TEMP{pod="${'p'.repeat(MAX_LINE_CHARS)}"} 30`;
    const text = `DCGM_FI_DEV_GPU_TEMP{gpu="0"} 31\n${long}\nDCGM_FI_DEV_GPU_TEMP{gpu="1"} 32\n`;
    const sample = await readCaptureChunks(chunksOf(text, 1000), never);
    expect(sample.series.map((series) => series.value)).toEqual([31, 32]);
    expect(sample.malformed).toEqual([{ line: 2, reason: `line is longer than ${MAX_LINE_CHARS} characters` }]);
    expect(readCapture(text)).toEqual(sample);
  });

  it('a <gpu> element that would take long to parse, or long XML outside them, fails the read, saying so; process lists do not count', async () => {
    const padding = (chars: number): string => `<padding>${'x'.repeat(chars)}</padding>`;
    const failure = (xml: string): Promise<unknown> => readCaptureChunks(chunksOf(xml), never);
    await expect(
      failure(largeSmiXml(2).replace('</gpu>', `${padding(MAX_PARSED_GPU_ELEMENT_CHARS)}</gpu>`)),
    ).rejects.toThrow(
      new SmiXmlError(
        `<gpu> element 0 is longer than ${MAX_PARSED_GPU_ELEMENT_CHARS} characters without its supported clocks and process lists`,
      ),
    );
    await expect(failure(largeSmiXml(2).replace('</gpu>', `${padding(MAX_GPU_ELEMENT_CHARS)}</gpu>`))).rejects.toThrow(
      new SmiXmlError(`<gpu> element 0 is longer than ${MAX_GPU_ELEMENT_CHARS} characters`),
    );
    await expect(
      failure(largeSmiXml(2).replace('</nvidia_smi_log>', `${padding(MAX_PARSED_GPU_ELEMENT_CHARS)}</nvidia_smi_log>`)),
    ).rejects.toThrow(
      new SmiXmlError(`more than ${MAX_PARSED_GPU_ELEMENT_CHARS} characters of XML outside <gpu> elements`),
    );
    // A GPU running 500 processes: its element is far longer than what is parsed of it.
    const process =
      '<process_info><pid>4242</pid><type>C</type><process_name>python3</process_name><used_memory>9000 MiB</used_memory></process_info>';
    const busy = largeSmiXml(2).replace('<processes />', `<processes>${process.repeat(500)}</processes>`);
    expect(busy.length).toBeGreaterThan(MAX_PARSED_GPU_ELEMENT_CHARS);
    expect(await readCaptureChunks(chunksOf(busy), never)).toEqual(readCapture(largeSmiXml(2)));
  });
});

describe('a large capture file, through GpuMetrics', () => {
  let dir: string;
  let file: string;
  beforeAll(() => {
    dir = mkdtempSync(join(tmpdir(), 'presize-slices-'));
    file = join(dir, 'large.prom');
    writeFileSync(file, scrape);
  });
  afterAll(() => rmSync(dir, { recursive: true, force: true }));

  it('is made into metric data when read, a slice at a time, and a collection only hands that data out', async () => {
    const h = harness({ source: new FileSource(file), timeoutMs: 600_000 });
    const { result, turns } = await turnsDuring(() => h.gpu.scrape());
    expect(result.ok).toBe(true);
    const series = result.ok ? result.sample.series.length : 0;
    // Parsing, then naming, counter starts and metric data: each gives the loop a turn every slice.
    expect(turns).toBeGreaterThanOrEqual(
      Math.floor(scrape.length / SLICE_CHARS) + 3 * Math.floor(series / SLICE_ITEMS),
    );
    const first = await h.gpu.collect();
    const second = await h.gpu.collect();
    expect(second.resourceMetrics.scopeMetrics[0]?.metrics).toBe(first.resourceMetrics.scopeMetrics[0]?.metrics);
    await h.shutdown();
  });

  it('is read once at a time: a scrape while one is being read gets that read, and stop() ends it at the next slice', async () => {
    const h = harness({ source: new FileSource(file), timeoutMs: 600_000 });
    const first = h.gpu.scrape();
    let turnsAfterStop = -1;
    const turn = (): void => {
      if (turnsAfterStop >= 0) turnsAfterStop++;
      if (turnsAfterStop < 1000) setImmediate(turn);
    };
    setImmediate(turn);
    for (let i = 0; i < 20; i++) await new Promise((resolve) => setImmediate(resolve));
    expect(h.gpu.scrape()).toBe(first);
    turnsAfterStop = 0;
    const stopped = h.gpu.stop();
    const outcome: Awaited<typeof first> = await first;
    await stopped;
    expect(outcome.ok).toBe(false);
    expect(turnsAfterStop).toBeLessThanOrEqual(3);
    turnsAfterStop = 1000;
    expect((await h.gpu.collect()).resourceMetrics.scopeMetrics).toEqual([]);
    await h.shutdown();
  });
});
