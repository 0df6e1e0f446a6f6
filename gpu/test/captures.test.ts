import { detectCaptureFormat } from '../src/format-detection.js';
import { readCapture } from '../src/read-capture.js';
import type { GpuCaptureFormat } from '../src/sample.js';
import { fixture, fixturesIn, SCRAPES, SMI_CSV, SMI_XML, T4_SCRAPE_LABELS } from './fixtures.js';
import { expectFields, valueOf } from './series.js';

describe('every real capture in the fixtures', () => {
  const expected: [string, GpuCaptureFormat][] = [
    ...fixturesIn('dcgm-scrapes').map(([path]) => [path, 'dcgm-exporter'] as [string, GpuCaptureFormat]),
    ...fixturesIn('nvidia-smi/query-gpu-csv').map(([path]) => [path, 'nvidia-smi-csv'] as [string, GpuCaptureFormat]),
    ...fixturesIn('nvidia-smi/xml').map(([path]) => [path, 'nvidia-smi-xml'] as [string, GpuCaptureFormat]),
  ];

  it.each(expected)('%s is detected as %s and read without a malformed line or a dropped value', (path, format) => {
    const text = fixture(path);
    expect(detectCaptureFormat(text)).toBe(format);
    const sample = readCapture(text);
    expect(sample.format).toBe(format);
    expect(sample.malformed).toEqual([]);
    expect(sample.dropped).toEqual([]);
    expect(sample.series.length).toBeGreaterThan(10);
  });

  it('covers the 16 captures: 5 dcgm-exporter scrapes, 8 nvidia-smi CSV, 3 nvidia-smi XML', () => {
    const count = (format: GpuCaptureFormat): number => expected.filter(([, f]) => f === format).length;
    expect([count('dcgm-exporter'), count('nvidia-smi-csv'), count('nvidia-smi-xml')]).toEqual([5, 8, 3]);
  });
});

describe('dcgm-exporter scrapes: exact values', () => {
  it('Tesla T4 (no HELP/TYPE lines): utilisation, framebuffer, power, temperature, energy', () => {
    const sample = readCapture(fixture(SCRAPES.t4));
    expectFields(sample, {
      DCGM_FI_DEV_GPU_UTIL: 91,
      DCGM_FI_DEV_FB_USED: 5120,
      DCGM_FI_DEV_POWER_USAGE: 68.244,
      DCGM_FI_DEV_GPU_TEMP: 74,
      DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION: 15152422938,
      DCGM_FI_PROF_PIPE_TENSOR_ACTIVE: 0.005822,
    });
    expect(sample.series[0]?.labels).toEqual(T4_SCRAPE_LABELS);
    expect(sample.declaredTypes.size).toBe(0);
  });

  it('L4 default counters: values, and the TYPE and HELP lines', () => {
    const sample = readCapture(fixture(SCRAPES.l4));
    expectFields(sample, {
      DCGM_FI_DEV_GPU_UTIL: 0,
      DCGM_FI_DEV_FB_USED: 0,
      DCGM_FI_DEV_FB_FREE: 22563,
      DCGM_FI_DEV_POWER_USAGE: 16.365,
      DCGM_FI_DEV_GPU_TEMP: 31,
      DCGM_FI_PROF_PCIE_TX_BYTES: 112603,
    });
    expect(sample.declaredTypes.get('DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION')).toBe('counter');
    expect(sample.declaredTypes.get('DCGM_FI_DEV_SM_CLOCK')).toBe('gauge');
    expect(sample.help.get('DCGM_FI_DEV_POWER_USAGE')).toBe('Power draw (in W).');
  });

  it('L40S default counters', () => {
    const sample = readCapture(fixture(SCRAPES.l40s));
    expectFields(sample, {
      DCGM_FI_DEV_GPU_UTIL: 0,
      DCGM_FI_DEV_FB_USED: 0,
      DCGM_FI_DEV_FB_RESERVED: 608,
      DCGM_FI_DEV_POWER_USAGE: 35.686,
      DCGM_FI_DEV_GPU_TEMP: 32,
      DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION: 5551899580,
      DCGM_FI_PROF_DRAM_ACTIVE: 0.000131,
    });
  });

  it('GRID A100-10C vGPU: framebuffer and utilisation, and no power or temperature at all', () => {
    const sample = readCapture(fixture(SCRAPES.a100vgpu));
    expectFields(sample, {
      DCGM_FI_DEV_GPU_UTIL: 0,
      DCGM_FI_DEV_FB_USED: 0,
      DCGM_FI_DEV_FB_FREE: 9323,
      DCGM_FI_DEV_SM_CLOCK: 1410,
      DCGM_FI_DEV_POWER_USAGE: undefined,
      DCGM_FI_DEV_GPU_TEMP: undefined,
    });
  });

  it('8x H100: per-GPU values, and the pod labels on the GPU a vLLM worker holds', () => {
    const sample = readCapture(fixture(SCRAPES.h100x8));
    expectFields(
      sample,
      {
        DCGM_FI_DEV_GPU_TEMP: 30,
        DCGM_FI_DEV_POWER_USAGE: 113.611,
        DCGM_FI_DEV_GPU_UTIL: 0,
      },
      { gpu: '0' },
    );
    expect(valueOf(sample, 'DCGM_FI_DEV_GPU_TEMP', { gpu: '7' })).toBe(26);
    expect(
      valueOf(sample, 'DCGM_FI_DEV_POWER_USAGE', { gpu: '7', UUID: 'GPU-04d228d3-3b5a-3534-f5cf-969706647d56' }),
    ).toBe(66.997);
    expect(valueOf(sample, 'DCGM_FI_DEV_MEM_COPY_UTIL', { gpu: '5' })).toBe(0);
    expect(valueOf(sample, 'DCGM_FI_DEV_MEM_COPY_UTIL', { gpu: '6' })).toBeUndefined();
    const gpu0 = sample.series.find((series) => series.labels['gpu'] === '0');
    expect(gpu0?.labels).toMatchObject({
      pod: 'vllm-agg-0-vllmdecodeworker-s65j5',
      namespace: 'dynamo-workload',
      container: 'main',
      pod_uid: '',
    });
    expect(sample.series.find((series) => series.labels['gpu'] === '1')?.labels['pod']).toBeUndefined();
    expect(sample.series).toHaveLength(30);
  });
});

describe('nvidia-smi --query-gpu CSV: exact values in DCGM fields and units', () => {
  it.each([
    [SMI_CSV.h100Idle, 0, 0, 69.85, 41],
    [SMI_CSV.h100Load, 100, 19818, 631.95, 59],
    [SMI_CSV.h200Idle, 0, 0, 77.71, 28],
    [SMI_CSV.h200Load, 100, 32362, 627.4, 52],
    [SMI_CSV.l40sIdle, 100, 0, 144.97, 63],
    [SMI_CSV.l40sLoad, 9, 1235, 110.23, 54],
  ])('%s: GPU_UTIL %d %%, FB_USED %d MiB, POWER_USAGE %d W, GPU_TEMP %d C', (path, util, fbUsed, power, temp) => {
    const sample = readCapture(fixture(path));
    expectFields(sample, {
      DCGM_FI_DEV_GPU_UTIL: util,
      DCGM_FI_DEV_FB_USED: fbUsed,
      DCGM_FI_DEV_POWER_USAGE: power,
      DCGM_FI_DEV_GPU_TEMP: temp,
    });
  });

  it('H100 in MIG mode: utilisation is [N/A] at the GPU level, so it is absent, not zero', () => {
    const sample = readCapture(fixture(SMI_CSV.h100MigLoad));
    expectFields(sample, {
      DCGM_FI_DEV_GPU_UTIL: undefined,
      DCGM_FI_DEV_FB_USED: 11125,
      DCGM_FI_DEV_POWER_USAGE: 433.78,
      DCGM_FI_DEV_GPU_TEMP: 53,
      DCGM_FI_DEV_MEMORY_TEMP: 59,
    });
  });

  it('H100 in MIG mode, idle: utilisation absent, framebuffer, power, temperatures, clocks and the idle clock event', () => {
    const sample = readCapture(fixture(SMI_CSV.h100MigIdle));
    expectFields(sample, {
      DCGM_FI_DEV_GPU_UTIL: undefined,
      DCGM_FI_DEV_MEM_COPY_UTIL: undefined,
      DCGM_FI_DEV_FB_USED: 59,
      DCGM_FI_DEV_FB_FREE: 81022,
      DCGM_FI_DEV_FB_RESERVED: 479,
      DCGM_FI_DEV_FB_TOTAL: 81559,
      DCGM_FI_DEV_POWER_USAGE: 71.15,
      DCGM_FI_DEV_POWER_USAGE_INSTANT: 70.72,
      DCGM_FI_DEV_GPU_TEMP: 42,
      DCGM_FI_DEV_MEMORY_TEMP: 48,
      DCGM_FI_DEV_SM_CLOCK: 345,
      DCGM_FI_DEV_MEM_CLOCK: 2619,
      DCGM_FI_DEV_CLOCKS_EVENT_REASONS: 0x1,
      DCGM_FI_DEV_PSTATE: 0,
    });
    expect(sample.series[0]?.labels).toEqual({
      gpu: '0',
      UUID: 'GPU-00000000-0000-0000-0000-000000000000',
      modelName: 'NVIDIA H100 80GB HBM3',
      pci_bus_id: '00000000:00:09.0',
      DCGM_FI_DRIVER_VERSION: '590.48.01',
    });
  });

  it('H100 load: labels, clocks, limits, ECC and clock-event mask', () => {
    const sample = readCapture(fixture(SMI_CSV.h100Load));
    expect(sample.series[0]?.labels).toEqual({
      gpu: '0',
      UUID: 'GPU-00000000-0000-0000-0000-000000000000',
      modelName: 'NVIDIA H100 80GB HBM3',
      pci_bus_id: '00000000:00:09.0',
      DCGM_FI_DRIVER_VERSION: '590.48.01',
    });
    expectFields(sample, {
      DCGM_FI_DEV_SM_CLOCK: 1980,
      DCGM_FI_DEV_MEM_CLOCK: 2619,
      DCGM_FI_DEV_FB_FREE: 61263,
      DCGM_FI_DEV_FB_TOTAL: 81559,
      DCGM_FI_DEV_MEM_COPY_UTIL: 11,
      DCGM_FI_DEV_ENFORCED_POWER_LIMIT: 700,
      DCGM_FI_DEV_ECC_DBE_VOL_TOTAL: 0,
      DCGM_FI_DEV_CLOCKS_EVENT_REASONS: 0,
      DCGM_FI_DEV_PSTATE: 0,
    });
    expect(valueOf(readCapture(fixture(SMI_CSV.h100Idle)), 'DCGM_FI_DEV_CLOCKS_EVENT_REASONS')).toBe(1);
  });

  it('L40S: power-cap throttle time in µs becomes DCGM nanoseconds; memory temperature N/A is absent', () => {
    const sample = readCapture(fixture(SMI_CSV.l40sIdle));
    expectFields(sample, {
      DCGM_FI_DEV_POWER_VIOLATION: 200740215 * 1000,
      DCGM_FI_DEV_MEMORY_TEMP: undefined,
      DCGM_FI_DEV_ENC_UTIL: 0,
    });
    expect(valueOf(readCapture(fixture(SMI_CSV.l40sLoad)), 'DCGM_FI_DEV_ENC_UTIL')).toBe(60);
  });
});

describe('nvidia-smi -q -x XML: exact values in DCGM fields', () => {
  it('A100 SXM4 (DTD v12, MIG on): GPU values, N/A utilisation absent, one framebuffer per MIG instance', () => {
    const sample = readCapture(fixture(SMI_XML.a100));
    const parent = sample.series.filter((series) => series.labels['GPU_I_ID'] === undefined);
    expect(parent.find((series) => series.field === 'DCGM_FI_DEV_FB_USED')?.value).toBe(50);
    expect(parent.find((series) => series.field === 'DCGM_FI_DEV_POWER_USAGE')?.value).toBe(67.03);
    expect(parent.find((series) => series.field === 'DCGM_FI_DEV_GPU_TEMP')?.value).toBe(27);
    expect(parent.find((series) => series.field === 'DCGM_FI_DEV_MEMORY_TEMP')?.value).toBe(44);
    expect(sample.series.some((series) => series.field === 'DCGM_FI_DEV_GPU_UTIL')).toBe(false);
    expect(valueOf(sample, 'DCGM_FI_DEV_FB_USED', { GPU_I_ID: '3' })).toBe(12);
    expect(valueOf(sample, 'DCGM_FI_DEV_FB_TOTAL', { GPU_I_ID: '6' })).toBe(19968);
    expect(parent[0]?.labels).toEqual({
      gpu: '0',
      UUID: 'GPU-513536b6-7d19-9063-b049-1e69664bb298',
      pci_bus_id: '00000000:01:00.0',
      device: 'nvidia1',
      modelName: 'NVIDIA A100-SXM4-80GB',
      DCGM_FI_DRIVER_VERSION: '535.54.03',
    });
  });

  it('A10G (DTD v11): values, remapped rows, and the gpu_idle clock event as mask bit 0x1', () => {
    const sample = readCapture(fixture(SMI_XML.a10g));
    expectFields(sample, {
      DCGM_FI_DEV_GPU_UTIL: 0,
      DCGM_FI_DEV_FB_USED: 22,
      DCGM_FI_DEV_POWER_USAGE: 25.58,
      DCGM_FI_DEV_GPU_TEMP: 17,
      DCGM_FI_DEV_CLOCKS_EVENT_REASONS: 0x1,
      DCGM_FI_DEV_ROW_REMAP_FAILURE: 0,
      DCGM_FI_DEV_PSTATE: 8,
    });
  });

  it('Tesla T4 (DTD v11)', () => {
    const sample = readCapture(fixture(SMI_XML.t4));
    expectFields(sample, {
      DCGM_FI_DEV_GPU_UTIL: 0,
      DCGM_FI_DEV_FB_USED: 1032,
      DCGM_FI_DEV_POWER_USAGE: 26.78,
      DCGM_FI_DEV_GPU_TEMP: 40,
      DCGM_FI_DEV_PCIE_LINK_WIDTH: 8,
      DCGM_FI_DEV_RETIRED_PENDING: 0,
    });
  });
});
