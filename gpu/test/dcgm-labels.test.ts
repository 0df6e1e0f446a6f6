import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readCapture } from '../src/read-capture.js';
import { FileSource } from '../src/sources/file-source.js';
import { fixture, SCRAPES } from './fixtures.js';
import { harness, points, type Harness } from './otel-harness.js';

/*
 * No real capture has dcgm-exporter's lowercase `hostname` label or MIG's GPU_I_PROFILE/GPU_I_ID
 * in a scrape, so these tests use the 8x H100 scrape, mutated as little as those labels need:
 * - `Hostname=` becomes `hostname=` on every line, as dcgm-exporter writes it since its commit
 *   "Rename Hostname label to hostname (#655)";
 * - GPU 1's lines get `GPU_I_PROFILE="3g.40gb",GPU_I_ID="2"`, and a copy of them, same values,
 *   `GPU_I_PROFILE="1g.10gb",GPU_I_ID="9"`: two MIG instances of one H100, with the profiles and
 *   GPU instance IDs the H100 MIG nvidia-smi capture lists (`nvidia-smi -L`, MIG devices table).
 * Everything else, values included, is the capture as it was.
 */
const GPU1_UUID = 'GPU-bc5610b9-79c8-fedd-8899-07539c7f868a';
const GPU1_LABELS = `gpu="1",UUID="${GPU1_UUID}",pci_bus_id="00000000:64:00.0",device="nvidia1",modelName="NVIDIA H100 80GB HBM3",`;

function migCapture(): string {
  const lines = fixture(SCRAPES.h100x8).replaceAll('Hostname="', 'hostname="').split('\n');
  const gpu1 = lines.filter((line) => line.includes(GPU1_LABELS));
  const instance = (profile: string, id: string) => (line: string) =>
    line.replace(GPU1_LABELS, `${GPU1_LABELS}GPU_I_PROFILE="${profile}",GPU_I_ID="${id}",`);
  const mutated = lines.map((line) => (gpu1.includes(line) ? instance('3g.40gb', '2')(line) : line));
  const end = mutated.at(-1) === '' ? mutated.length - 1 : mutated.length;
  mutated.splice(end, 0, ...gpu1.map(instance('1g.10gb', '9')));
  return mutated.join('\n');
}

const GPU1_BASE = {
  gpu: '1',
  UUID: GPU1_UUID,
  pci_bus_id: '00000000:64:00.0',
  device: 'nvidia1',
  modelName: 'NVIDIA H100 80GB HBM3',
  hostname: 'gpu-node-1',
  DCGM_FI_DRIVER_VERSION: '580.105.08',
};

describe('dcgm-exporter labels passed through as found: lowercase hostname, MIG GPU_I_PROFILE and GPU_I_ID', () => {
  let dir: string;
  let current: Harness | undefined;

  beforeEach(() => {
    dir = mkdtempSync(join(tmpdir(), 'presize-gpu-labels-'));
  });
  afterEach(async () => {
    await current?.shutdown();
    current = undefined;
    rmSync(dir, { recursive: true, force: true });
  });

  const replaying = (naming: 'dcgm' | 'hw'): Harness => {
    const capture = join(dir, 'h100-mig.prom');
    writeFileSync(capture, migCapture());
    current = harness({ source: new FileSource(capture), naming });
    return current;
  };

  it('the mutated capture reads cleanly: every series has hostname, GPU 1 is two MIG instances', () => {
    const sample = readCapture(migCapture());
    expect(sample.malformed).toEqual([]);
    expect(sample.dropped).toEqual([]);
    expect(sample.series).toHaveLength(30 + 4);
    expect(
      sample.series.every((series) => series.labels['hostname'] === 'gpu-node-1' && !('Hostname' in series.labels)),
    ).toBe(true);
    const gpu1Temps = sample.series.filter(
      (series) => series.field === 'DCGM_FI_DEV_GPU_TEMP' && series.labels['gpu'] === '1',
    );
    expect(
      gpu1Temps.map((series) => [series.labels['GPU_I_PROFILE'], series.labels['GPU_I_ID'], series.value]),
    ).toEqual([
      ['3g.40gb', '2', 29],
      ['1g.10gb', '9', 29],
    ]);
  });

  it('DCGM naming exports them as attributes of the same names, and Prometheus labels them unchanged', async () => {
    const { gpu, collect, prometheusText } = replaying('dcgm');
    expect((await gpu.scrape()).ok).toBe(true);
    const temps = points(await collect(), 'DCGM_FI_DEV_GPU_TEMP');
    expect(temps).toHaveLength(9);
    expect(temps.filter(([attributes]) => attributes['gpu'] === '1')).toEqual([
      [{ ...GPU1_BASE, GPU_I_PROFILE: '3g.40gb', GPU_I_ID: '2' }, 29],
      [{ ...GPU1_BASE, GPU_I_PROFILE: '1g.10gb', GPU_I_ID: '9' }, 29],
    ]);
    expect(temps.find(([attributes]) => attributes['gpu'] === '7')?.[0]).toEqual({
      gpu: '7',
      UUID: 'GPU-04d228d3-3b5a-3534-f5cf-969706647d56',
      pci_bus_id: '00000000:CA:00.0',
      device: 'nvidia7',
      modelName: 'NVIDIA H100 80GB HBM3',
      hostname: 'gpu-node-1',
      DCGM_FI_DRIVER_VERSION: '580.105.08',
    });
    const text = await prometheusText();
    expect(text).toMatch(
      /^DCGM_FI_DEV_POWER_USAGE\{gpu="1",UUID="GPU-bc5610b9-79c8-fedd-8899-07539c7f868a",pci_bus_id="00000000:64:00\.0",device="nvidia1",modelName="NVIDIA H100 80GB HBM3",GPU_I_PROFILE="1g\.10gb",GPU_I_ID="9",hostname="gpu-node-1",DCGM_FI_DRIVER_VERSION="580\.105\.08"\} 68\.347$/m,
    );
    expect(text).not.toContain('Hostname=');
  });

  it('hw naming makes each MIG instance its own hw.id under the GPU, with its profile, and host.name from hostname', async () => {
    const { gpu, collect } = replaying('hw');
    expect((await gpu.scrape()).ok).toBe(true);
    const power = points(await collect(), 'hw.power');
    expect(power).toHaveLength(9);
    const gpu1 = {
      'hw.type': 'gpu',
      'hw.name': 'nvidia1',
      'hw.vendor': 'NVIDIA',
      'hw.model': 'NVIDIA H100 80GB HBM3',
      'hw.driver_version': '580.105.08',
      'host.name': 'gpu-node-1',
      'hw.parent': GPU1_UUID,
    };
    expect(power.filter(([attributes]) => attributes['hw.parent'] === GPU1_UUID)).toEqual([
      [{ ...gpu1, 'hw.id': `${GPU1_UUID}/gi2`, 'presize.gpu.mig.profile': '3g.40gb' }, 68.347],
      [{ ...gpu1, 'hw.id': `${GPU1_UUID}/gi9`, 'presize.gpu.mig.profile': '1g.10gb' }, 68.347],
    ]);
    expect(power.every(([attributes]) => attributes['host.name'] === 'gpu-node-1')).toBe(true);
  });
});
