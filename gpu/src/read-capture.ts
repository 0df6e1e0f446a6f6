import { readDcgmExposition, readDcgmExpositionInSlices } from './dcgm-exposition-reader.js';
import { detectCaptureFormat } from './format-detection.js';
import type { GpuCaptureFormat, GpuSample } from './sample.js';
import { readSmiCsv, type SmiReadOptions } from './smi-csv-reader.js';
import { readSmiXml } from './smi-xml-reader.js';

/** A capture none of the readers recognises. */
export class UnrecognizedCaptureError extends Error {}

/** Reads a capture in the given format, or in the format detected from its content. */
export function readCapture(text: string, format?: GpuCaptureFormat, options: SmiReadOptions = {}): GpuSample {
  const detected = format ?? detectCaptureFormat(text);
  switch (detected) {
    case 'dcgm-exporter':
      return readDcgmExposition(text);
    case 'nvidia-smi-csv':
      return readSmiCsv(text, options);
    case 'nvidia-smi-xml':
      return readSmiXml(text, options);
    case undefined:
      throw new UnrecognizedCaptureError(
        `capture is neither a dcgm-exporter scrape, nvidia-smi CSV nor nvidia-smi XML (starts with ${JSON.stringify(text.trimStart().slice(0, 40))})`,
      );
  }
}

/**
 * readCapture without holding the event loop through a large capture: an exposition (up to
 * MAX_CAPTURE_BYTES) is read a slice at a time. nvidia-smi's CSV and XML are read at once: they
 * hold a few kilobytes per GPU.
 */
export async function readCaptureInSlices(
  text: string,
  format?: GpuCaptureFormat,
  options: SmiReadOptions = {},
): Promise<GpuSample> {
  const detected = format ?? detectCaptureFormat(text);
  if (detected === 'dcgm-exporter') return readDcgmExpositionInSlices(text);
  return readCapture(text, detected, options);
}
