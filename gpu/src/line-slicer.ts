import { SLICE_ITEMS } from './event-loop-turn.js';

/**
 * Longest line read. dcgm-exporter's lines are under 2 KiB even with pod labels; a longer one is
 * skipped as malformed without being parsed, so no single line can hold the event loop, and
 * text waiting for its line's end never grows past this.
 */
export const MAX_LINE_CHARS = 64 * 1024;

/**
 * Cuts text written a piece at a time into lines, whatever the pieces' boundaries (inside a line,
 * between a CR and its LF), for a reader of lines to extend. `step` hands over at most
 * SLICE_ITEMS lines, so a caller can give the event loop a turn between steps.
 */
export abstract class LineSlicer {
  private text = '';
  private at = 0;
  private lineNumber = 0;
  /** Inside a line already reported too long, until its end. */
  private skipping = false;
  private ended = false;

  /** Adds text; what the steps before have not consumed (at most a partial line) is kept. */
  write(piece: string): void {
    this.text = this.at < this.text.length ? this.text.slice(this.at) + piece : piece;
    this.at = 0;
  }

  /** No more text: the last line need not end in a line feed. */
  end(): void {
    this.ended = true;
  }

  /** A line: `text` from `start` to `end` (line end and a CR before it excluded), 1-based `number`. */
  protected abstract line(text: string, start: number, end: number, number: number): void;

  /** A line longer than MAX_LINE_CHARS, skipped. */
  protected abstract tooLong(number: number): void;

  /** Hands at most SLICE_ITEMS lines on; false when none is left until more text is written. */
  step(): boolean {
    const { text } = this;
    for (let handled = 0; handled < SLICE_ITEMS; handled++) {
      const start = this.at;
      const feed = text.indexOf('\n', start);
      if (feed < 0) {
        this.partial();
        return false;
      }
      this.at = feed + 1;
      if (this.skipping) {
        this.skipping = false;
        continue;
      }
      this.emit(start, feed);
    }
    return this.at < text.length;
  }

  /** The text after the last line feed: the last line at the end, else kept unless too long. */
  private partial(): void {
    const { text, at } = this;
    if (this.ended) {
      if (at < text.length && !this.skipping) this.emit(at, text.length);
      this.at = text.length;
    } else if (text.length - at > MAX_LINE_CHARS + 1) {
      // (+1: a CR kept for the line feed still to come is not part of the line.)
      if (!this.skipping) this.tooLong(++this.lineNumber);
      this.skipping = true;
      this.at = text.length;
    }
  }

  private emit(start: number, feed: number): void {
    const number = ++this.lineNumber;
    const end = feed > start && this.text.charCodeAt(feed - 1) === 13 ? feed - 1 : feed;
    if (end - start > MAX_LINE_CHARS) this.tooLong(number);
    else this.line(this.text, start, end, number);
  }
}
