import { LineSlicer, MAX_LINE_CHARS } from './line-slicer.js';
import { ownString } from './own-string.js';
import type { MalformedLine } from './sample.js';

/**
 * A strict reader of the Prometheus text exposition format (0.0.4), as dcgm-exporter writes it.
 * A line that breaks the format is skipped and reported with its number and the reason; every
 * other line still counts, so one bad line never costs the whole scrape.
 */
export interface ExpositionSample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
  readonly timestampMs?: number;
}

export interface Exposition {
  readonly samples: ExpositionSample[];
  readonly types: Map<string, string>;
  readonly help: Map<string, string>;
  readonly malformed: MalformedLine[];
}

const METRIC_TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);

const SPACE = 32;
const TAB = 9;
const QUOTE = 34;
const BACKSLASH = 92;
const OPEN_BRACE = 123;
const CLOSE_BRACE = 125;
const COMMA = 44;
const EQUALS = 61;

/**
 * Why one line is skipped. Not an Error: an Error records a stack trace when made, which made a
 * capture of millions of malformed lines take minutes.
 */
class LineError {
  constructor(readonly message: string) {}
}

/** Malformed lines past which a capture is given up as garbage rather than read to its end. */
export const MAX_MALFORMED_LINES = 10_000;

export class TooManyMalformedLinesError extends Error {
  constructor() {
    super(`more than ${MAX_MALFORMED_LINES} malformed lines`);
    this.name = 'TooManyMalformedLinesError';
  }
}

function isNameStart(c: number): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || c === 58;
}

function isNameChar(c: number): boolean {
  return isNameStart(c) || (c >= 48 && c <= 57);
}

function isLabelNameChar(c: number, first: boolean): boolean {
  return (c >= 97 && c <= 122) || (c >= 65 && c <= 90) || c === 95 || (!first && c >= 48 && c <= 57);
}

function skipBlanks(text: string, at: number, end: number): number {
  while (at < end) {
    const c = text.charCodeAt(at);
    if (c !== SPACE && c !== TAB) break;
    at++;
  }
  return at;
}

function unescapeLabelValue(raw: string): string {
  return raw.replace(/\\(.)/g, (_match, escaped: string) => (escaped === 'n' ? '\n' : escaped));
}

function parseValue(token: string): number {
  switch (token) {
    case 'NaN':
      return NaN;
    case '+Inf':
    case 'Inf':
      return Infinity;
    case '-Inf':
      return -Infinity;
  }
  const value = Number(token);
  if (Number.isNaN(value)) throw new LineError(`value "${token}" is not a number`);
  return value;
}

/** Parses `{name="value",...}` starting at `open`; returns the labels and the index after `}`. */
function parseLabels(text: string, open: number, end: number): [Record<string, string>, number] {
  // A plain object (one without a prototype is a hash table, several times the size); `__proto__`,
  // a valid label name, is defined as an own property.
  const labels: Record<string, string> = {};
  let at = open + 1;
  for (;;) {
    at = skipBlanks(text, at, end);
    if (at >= end) throw new LineError('label set is not closed');
    if (text.charCodeAt(at) === CLOSE_BRACE) return [labels, at + 1];
    const nameStart = at;
    while (at < end && isLabelNameChar(text.charCodeAt(at), at === nameStart)) at++;
    if (at === nameStart) throw new LineError(`invalid label name at column ${at + 1 - open}`);
    const name = text.slice(nameStart, at);
    at = skipBlanks(text, at, end);
    if (text.charCodeAt(at) !== EQUALS) throw new LineError(`label ${name} has no "="`);
    at = skipBlanks(text, at + 1, end);
    if (text.charCodeAt(at) !== QUOTE) throw new LineError(`value of label ${name} is not quoted`);
    const valueStart = at + 1;
    at = valueStart;
    for (;;) {
      const quote = text.indexOf('"', at);
      if (quote < 0 || quote >= end) throw new LineError(`value of label ${name} is not terminated`);
      let backslashes = 0;
      for (let back = quote - 1; back >= valueStart && text.charCodeAt(back) === BACKSLASH; back--) backslashes++;
      at = quote + 1;
      if (backslashes % 2 === 0) break;
    }
    const raw = text.slice(valueStart, at - 1);
    if (Object.prototype.hasOwnProperty.call(labels, name)) throw new LineError(`label ${name} appears twice`);
    const value = raw.indexOf('\\') >= 0 ? unescapeLabelValue(raw) : raw;
    if (name === '__proto__') Object.defineProperty(labels, name, { value, enumerable: true });
    else labels[name] = value;
    at = skipBlanks(text, at, end);
    const next = text.charCodeAt(at);
    if (next === COMMA) at++;
    else if (next !== CLOSE_BRACE) throw new LineError(`expected "," or "}" after label ${name}`);
  }
}

function parseComment(text: string, start: number, end: number, out: Exposition): void {
  const body = text.slice(start + 1, end).trim();
  const keyword = body.startsWith('HELP ') ? 'HELP' : body.startsWith('TYPE ') ? 'TYPE' : undefined;
  if (!keyword) return;
  const rest = body.slice(5).trimStart();
  const space = rest.search(/[ \t]/);
  const name = space < 0 ? rest : rest.slice(0, space);
  const argument = space < 0 ? '' : rest.slice(space + 1).trim();
  if (!/^[a-zA-Z_:][a-zA-Z0-9_:]*$/.test(name)) throw new LineError(`# ${keyword} names an invalid metric "${name}"`);
  if (keyword === 'TYPE') {
    if (!METRIC_TYPES.has(argument)) throw new LineError(`# TYPE ${name} has unknown type "${argument}"`);
    if (out.types.has(name)) throw new LineError(`# TYPE ${name} appears twice`);
    out.types.set(ownString(name), argument);
  } else {
    // Copies: a help text becomes the description of the metric data exported until the next read.
    out.help.set(
      ownString(name),
      ownString(argument.replace(/\\([\\n])/g, (_m, c: string) => (c === 'n' ? '\n' : '\\'))),
    );
  }
}

/** What a parsed label set is made into before samples are given it. */
export interface LabelSets {
  make(parsed: Readonly<Record<string, string>>): Readonly<Record<string, string>>;
  /**
   * Whether the set made is kept for the samples after with the same label text, which then are
   * not parsed again; when not, it is parsed and made again wherever it appears.
   */
  remember(made: Readonly<Record<string, string>>): boolean;
}

/** Each label set frozen as parsed, and remembered. */
const AS_PARSED: LabelSets = { make: Object.freeze, remember: () => true };

/**
 * Parses an exposition written a piece at a time (see LineSlicer): each `step` reads at most
 * SLICE_ITEMS lines, so a caller can give the event loop a turn between steps. Samples go to
 * `onSample` as they are read, or into `exposition.samples` without one. A label set is parsed
 * once and made into what `labelSets` makes of it (by default, frozen as parsed) while remembered.
 */
export class ExpositionParser extends LineSlicer {
  readonly exposition: Exposition = { samples: [], types: new Map(), help: new Map(), malformed: [] };
  // Label sets repeat on every field of a GPU: parse each distinct one once per scrape.
  private readonly labelCache = new Map<string, Readonly<Record<string, string>>>();

  constructor(
    private readonly onSample?: (sample: ExpositionSample) => void,
    private readonly labelSets: LabelSets = AS_PARSED,
  ) {
    super();
  }

  /** Throws TooManyMalformedLinesError past MAX_MALFORMED_LINES. */
  protected line(text: string, start: number, end: number, number: number): void {
    const first = skipBlanks(text, start, end);
    if (first === end) return;
    try {
      if (text.charCodeAt(first) === 35) parseComment(text, first, end, this.exposition);
      else {
        const sample = parseSampleLine(text, first, end, this.labelCache, this.labelSets);
        if (this.onSample) this.onSample(sample);
        else this.exposition.samples.push(sample);
      }
    } catch (error) {
      if (!(error instanceof LineError)) throw error;
      this.malformed(number, error.message);
    }
  }

  protected tooLong(number: number): void {
    this.malformed(number, `line is longer than ${MAX_LINE_CHARS} characters`);
  }

  private malformed(line: number, reason: string): void {
    const { malformed } = this.exposition;
    if (malformed.length >= MAX_MALFORMED_LINES) throw new TooManyMalformedLinesError();
    malformed.push({ line, reason });
  }
}

export function parseExposition(text: string): Exposition {
  const parser = new ExpositionParser();
  parser.write(text);
  parser.end();
  while (parser.step());
  return parser.exposition;
}

function parseSampleLine(
  text: string,
  start: number,
  end: number,
  labelCache: Map<string, Readonly<Record<string, string>>>,
  labelSets: LabelSets,
): ExpositionSample {
  let at = start;
  if (!isNameStart(text.charCodeAt(at))) throw new LineError('line does not start with a metric name');
  while (at < end && isNameChar(text.charCodeAt(at))) at++;
  const name = text.slice(start, at);
  const nameEnd = at;
  let labels: Readonly<Record<string, string>> = EMPTY_LABELS;
  at = skipBlanks(text, at, end);
  let valueStart = at;
  if (text.charCodeAt(at) === OPEN_BRACE) {
    // A cached block is a complete, valid label set, so when the text from here starts with it,
    // parsing would consume exactly that block.
    const candidateClose = text.indexOf('}', at);
    const cached =
      candidateClose >= 0 && candidateClose < end ? labelCache.get(text.slice(at, candidateClose + 1)) : undefined;
    if (cached) {
      labels = cached;
      at = candidateClose + 1;
    } else {
      const [parsed, after] = parseLabels(text, at, end);
      labels = labelSets.make(parsed);
      // The key is a copy: a slice would keep the whole piece of text it was cut from alive for
      // the rest of the read, and a large capture's label sets are spread over all of its pieces,
      // which the young generation's collections would then copy again and again.
      if (labelSets.remember(labels)) labelCache.set(ownString(text.slice(at, after)), labels);
      at = after;
    }
    valueStart = skipBlanks(text, at, end);
  } else if (at === nameEnd && at < end) {
    throw new LineError(`invalid character after metric name "${name}"`);
  }
  if (valueStart >= end) throw new LineError(`${name} has no value`);
  let valueEnd = valueStart;
  while (valueEnd < end && text.charCodeAt(valueEnd) !== SPACE && text.charCodeAt(valueEnd) !== TAB) valueEnd++;
  const value = parseValue(text.slice(valueStart, valueEnd));
  const timestampStart = skipBlanks(text, valueEnd, end);
  if (timestampStart >= end) return { name, labels, value };
  let timestampEnd = timestampStart;
  while (timestampEnd < end && text.charCodeAt(timestampEnd) !== SPACE && text.charCodeAt(timestampEnd) !== TAB)
    timestampEnd++;
  const token = text.slice(timestampStart, timestampEnd);
  if (!/^-?\d+$/.test(token)) throw new LineError(`timestamp "${token}" is not an integer`);
  if (skipBlanks(text, timestampEnd, end) < end) throw new LineError('unexpected text after the timestamp');
  return { name, labels, value, timestampMs: Number(token) };
}

const EMPTY_LABELS: Readonly<Record<string, string>> = Object.freeze({});
