import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

/**
 * The real dcgm-exporter and nvidia-smi captures live beside the repository, in
 * ../shared/fixtures/gpu (see PROVENANCE.md there); they are read in place, not copied.
 */
export const GPU_FIXTURES = resolve(__dirname, '../../../shared/fixtures/gpu');

function requireFixtures(): void {
  if (!existsSync(join(GPU_FIXTURES, 'PROVENANCE.md'))) {
    throw new Error(
      `GPU fixtures not found at ${GPU_FIXTURES}: the tests read the captures from ../shared/fixtures/gpu beside the repository root`,
    );
  }
}

export function fixturePath(relative: string): string {
  requireFixtures();
  return join(GPU_FIXTURES, relative);
}

export function fixture(relative: string): string {
  return readFileSync(fixturePath(relative), 'utf8');
}

/** Every capture of a folder, as [relative path, text]. */
export function fixturesIn(folder: string): [string, string][] {
  requireFixtures();
  return readdirSync(join(GPU_FIXTURES, folder))
    .sort()
    .map((name) => [`${folder}/${name}`, fixture(`${folder}/${name}`)]);
}

export const SCRAPES = {
  t4: 'dcgm-scrapes/cncf-ericsson__tesla-t4__1gpu__no-help-lines.prom',
  l4: 'dcgm-scrapes/cncf-kops__nvidia-l4__1gpu__default-counters.prom',
  l40s: 'dcgm-scrapes/cncf-upcloud__nvidia-l40s__1gpu__default-counters.prom',
  a100vgpu: 'dcgm-scrapes/cncf-vks__grid-a100-10c__vgpu.prom',
  h100x8: 'dcgm-scrapes/nvidia-aicr__h100-80gb-hbm3__8gpu__k8s-labels__sampled.prom',
} as const;

/** The labels dcgm-exporter gave the one GPU of the Tesla T4 scrape (`SCRAPES.t4`). */
export const T4_SCRAPE_LABELS = {
  gpu: '0',
  UUID: 'GPU-6d5c0ac5-74d7-3130-46f1-e93ed57f469a',
  pci_bus_id: '00000000:37:00.0',
  device: 'nvidia0',
  modelName: 'Tesla T4',
  Hostname: 'cp-bm14r7',
  DCGM_FI_DRIVER_VERSION: '590.48.01',
} as const;

export const SMI_CSV = {
  h100Idle: 'nvidia-smi/query-gpu-csv/utkuozdemir__nvidia-h100-80gb-hbm3__590.48.01__idle.csv',
  h100Load: 'nvidia-smi/query-gpu-csv/utkuozdemir__nvidia-h100-80gb-hbm3__590.48.01__load.csv',
  h100MigIdle: 'nvidia-smi/query-gpu-csv/utkuozdemir__nvidia-h100-mig__590.48.01__idle.csv',
  h100MigLoad: 'nvidia-smi/query-gpu-csv/utkuozdemir__nvidia-h100-mig__590.48.01__load.csv',
  h200Idle: 'nvidia-smi/query-gpu-csv/utkuozdemir__nvidia-h200__590.48.01__idle.csv',
  h200Load: 'nvidia-smi/query-gpu-csv/utkuozdemir__nvidia-h200__590.48.01__load.csv',
  l40sIdle: 'nvidia-smi/query-gpu-csv/utkuozdemir__nvidia-l40s__595.80__idle.csv',
  l40sLoad: 'nvidia-smi/query-gpu-csv/utkuozdemir__nvidia-l40s__595.80__load.csv',
} as const;

export const SMI_XML = {
  a100: 'nvidia-smi/xml/telegraf__a100-sxm4-v12.xml',
  a10g: 'nvidia-smi/xml/telegraf__a10g.xml',
  t4: 'nvidia-smi/xml/telegraf__tesla-t4.xml',
} as const;
