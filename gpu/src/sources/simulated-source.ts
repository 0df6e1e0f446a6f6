import type { GpuSample } from '../sample.js';
import { SampleBuilder } from '../sample-builder.js';
import type { GpuSource } from './source.js';

export interface SimulatedSourceOptions {
  /** Clock in epoch milliseconds; tests pass their own to get exact values. */
  now?: () => number;
  /** Number of simulated GPUs (default 2). */
  gpus?: number;
}

const MODEL = 'NVIDIA L40S';
const HOSTNAME = 'simulated-inference-node';
const TDP_W = 350;
const IDLE_W = 35;
const FB_TOTAL_MIB = 46068;
const FB_RESERVED_MIB = 609;
const MODEL_WEIGHTS_MIB = 18000;
const DAY_MS = 86_400_000;
const BATCH_PERIOD_MS = 20 * 60_000;
const BATCH_LENGTH_MS = 5 * 60_000;

/**
 * GPU utilisation of one simulated GPU at `timeMs`. GPU 0 serves online inference: a daily curve
 * peaking at 14:00 UTC (65 %) and bottoming at 02:00 (5 %), with a few points of minute-scale
 * ripple. Every other GPU runs an offline batch: 97 % for the first 5 minutes of every 20, idle
 * otherwise. Pure function of time, so a demo and a test see the same numbers.
 */
export function simulatedUtilization(gpu: number, timeMs: number): number {
  if (gpu > 0) {
    const phase = (timeMs + gpu * 60_000) % BATCH_PERIOD_MS;
    return phase < BATCH_LENGTH_MS ? 97 : 0;
  }
  const hours = (((timeMs % DAY_MS) + DAY_MS) % DAY_MS) / 3_600_000;
  const daily = 35 + 30 * Math.sin((2 * Math.PI * (hours - 8)) / 24);
  const ripple = 4 * Math.sin((2 * Math.PI * timeMs) / 180_000);
  return Math.round(Math.min(100, Math.max(0, daily + ripple)));
}

/**
 * A deterministic inference node for demos. Its series carry dcgm-exporter's labels only, with the
 * host `simulated-inference-node`; `register` marks the process's resource with
 * `presize.gpu.simulated` = true (gpuResourceAttributes), so it can never pass for a real GPU.
 */
export class SimulatedSource implements GpuSource {
  readonly kind = 'simulated';
  readonly description = 'simulated inference node';
  private readonly now: () => number;
  private readonly gpus: number;
  private readonly energyMj: number[];
  private lastReadMs: number | undefined;

  constructor(options: SimulatedSourceOptions = {}) {
    this.now = options.now ?? Date.now;
    this.gpus = options.gpus ?? 2;
    this.energyMj = new Array<number>(this.gpus).fill(0);
  }

  read(): Promise<GpuSample> {
    const time = this.now();
    const elapsedS = this.lastReadMs === undefined ? 0 : Math.max(0, time - this.lastReadMs) / 1000;
    this.lastReadMs = time;
    const builder = new SampleBuilder();
    for (let gpu = 0; gpu < this.gpus; gpu++) {
      const labels = Object.freeze({
        gpu: String(gpu),
        UUID: `GPU-00000000-0000-4000-8000-${String(gpu).padStart(12, '0')}`,
        pci_bus_id: `00000000:${(0x41 + gpu).toString(16).toUpperCase()}:00.0`,
        device: `nvidia${gpu}`,
        modelName: MODEL,
        Hostname: HOSTNAME,
        DCGM_FI_DRIVER_VERSION: '595.58.03',
      });
      const util = simulatedUtilization(gpu, time);
      const load = util / 100;
      const power = Math.round((IDLE_W + load * (TDP_W - IDLE_W)) * 1000) / 1000;
      this.energyMj[gpu] = (this.energyMj[gpu] as number) + Math.round(power * elapsedS * 1000);
      const fbUsed = Math.round(MODEL_WEIGHTS_MIB + load * 20000);
      builder.add('DCGM_FI_DEV_GPU_UTIL', labels, util);
      builder.add('DCGM_FI_DEV_MEM_COPY_UTIL', labels, Math.round(util * 0.3));
      builder.add('DCGM_FI_DEV_POWER_USAGE', labels, power);
      builder.add('DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION', labels, this.energyMj[gpu] as number);
      builder.add('DCGM_FI_DEV_GPU_TEMP', labels, Math.round(30 + util * 0.4));
      builder.add('DCGM_FI_DEV_SM_CLOCK', labels, util > 0 ? 2520 : 210);
      builder.add('DCGM_FI_DEV_MEM_CLOCK', labels, util > 0 ? 9001 : 405);
      builder.add('DCGM_FI_DEV_FB_USED', labels, fbUsed);
      builder.add('DCGM_FI_DEV_FB_FREE', labels, FB_TOTAL_MIB - FB_RESERVED_MIB - fbUsed);
      builder.add('DCGM_FI_DEV_FB_RESERVED', labels, FB_RESERVED_MIB);
      builder.add('DCGM_FI_DEV_XID_ERRORS', labels, 0);
      // Idle clocks when idle; the batch runs into its power cap (NVML bits 0x1 and 0x4).
      builder.add('DCGM_FI_DEV_CLOCKS_EVENT_REASONS', labels, util === 0 ? 0x1 : util >= 95 ? 0x4 : 0);
      builder.add('DCGM_FI_DEV_PCIE_REPLAY_COUNTER', labels, 0);
      builder.add('DCGM_FI_PROF_GR_ENGINE_ACTIVE', labels, Math.round(load * 0.95 * 1e6) / 1e6);
      builder.add('DCGM_FI_PROF_PIPE_TENSOR_ACTIVE', labels, Math.round(load * 0.6 * 1e6) / 1e6);
      builder.add('DCGM_FI_PROF_DRAM_ACTIVE', labels, Math.round(load * 0.4 * 1e6) / 1e6);
    }
    return Promise.resolve(builder.build('dcgm-exporter'));
  }
}
