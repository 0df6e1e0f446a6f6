import { fixture, SCRAPES, SMI_CSV, SMI_XML } from './fixtures.js';

/** A valid dcgm-exporter scrape of about `chars`: the 8×H100 capture's lines repeated for more and more GPUs. */
export function largeScrape(chars: number): string {
  const lines = fixture(SCRAPES.h100x8)
    .split('\n')
    .filter((line) => line !== '' && !line.startsWith('#'));
  const out: string[] = [];
  let size = 0;
  for (let gpu = 0; size < chars; gpu++) {
    for (const line of lines) {
      const renamed = line.replace(/gpu="\d+"/, `gpu="${gpu}"`);
      out.push(renamed);
      size += renamed.length + 1;
    }
  }
  return `${out.join('\n')}\n`;
}

/** nvidia-smi CSV of `gpus` GPUs: the H100 capture's header, its row repeated with a UUID of each GPU's own. */
export function largeSmiCsv(gpus: number): string {
  const [header, row] = fixture(SMI_CSV.h100Load).split('\n') as [string, string];
  const rows = Array.from({ length: gpus }, (_, gpu) =>
    row.replace(/GPU-[0-9a-f-]+/, `GPU-00000000-0000-0000-0000-${String(gpu).padStart(12, '0')}`),
  );
  return `${header}\n${rows.join('\n')}\n`;
}

/** The `<gpu>` elements of every real XML capture. */
export function smiXmlGpuElements(): string[] {
  return Object.values(SMI_XML).flatMap((path) => fixture(path).match(/<gpu[\s>][\s\S]*?<\/gpu>/g) ?? []);
}

/** `nvidia-smi -q -x` of the given `<gpu>` elements, under the A100 capture's header. */
export function smiXmlOf(elements: readonly string[]): string {
  const a100 = fixture(SMI_XML.a100);
  const head = a100.slice(0, a100.search(/<gpu[\s>]/));
  return `${head}${elements.join('\n    ')}\n</nvidia_smi_log>\n`;
}

/** nvidia-smi XML of `gpus` GPUs, the real captures' elements in turn. */
export function largeSmiXml(gpus: number): string {
  const elements = smiXmlGpuElements();
  return smiXmlOf(Array.from({ length: gpus }, (_, gpu) => elements[gpu % elements.length] as string));
}
