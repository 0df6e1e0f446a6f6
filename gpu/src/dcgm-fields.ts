/**
 * The DCGM fields Presize knows: their Prometheus type as dcgm-exporter declares it, their unit
 * (UCUM, as OpenTelemetry descriptors carry it) and a description. The types and descriptions of
 * the default fields follow dcgm-exporter's `default-counters.csv`; the others are the fields the
 * nvidia-smi readers map to. A field missing here is still exported, typed by the capture's own
 * `# TYPE` line, or as a gauge.
 */
export type DcgmFieldKind = 'gauge' | 'counter';

/** How a field's value is checked before export (see validity.ts). */
export type DcgmValueRange = 'percent' | 'ratio';

export interface DcgmField {
  readonly kind: DcgmFieldKind;
  readonly unit: string;
  readonly description: string;
  readonly range?: DcgmValueRange;
  /** 64-bit in DCGM: its 32-bit blank codes are ordinary values. */
  readonly wide?: boolean;
}

const gauge = (unit: string, description: string, range?: DcgmValueRange): DcgmField =>
  range ? { kind: 'gauge', unit, description, range } : { kind: 'gauge', unit, description };
const counter = (unit: string, description: string): DcgmField => ({ kind: 'counter', unit, description, wide: true });

export const DCGM_FIELDS: Readonly<Record<string, DcgmField>> = {
  DCGM_FI_DEV_SM_CLOCK: gauge('MHz', 'SM clock frequency (in MHz).'),
  DCGM_FI_DEV_MEM_CLOCK: gauge('MHz', 'Memory clock frequency (in MHz).'),
  DCGM_FI_DEV_VIDEO_CLOCK: gauge('MHz', 'Video encoder/decoder clock frequency (in MHz).'),
  DCGM_FI_DEV_MAX_SM_CLOCK: gauge('MHz', 'Maximum supported SM clock (in MHz).'),
  DCGM_FI_DEV_MAX_MEM_CLOCK: gauge('MHz', 'Maximum supported memory clock (in MHz).'),
  DCGM_FI_DEV_MEMORY_TEMP: gauge('Cel', 'Memory temperature (in C).'),
  DCGM_FI_DEV_GPU_TEMP: gauge('Cel', 'GPU temperature (in C).'),
  DCGM_FI_DEV_POWER_USAGE: gauge('W', 'Power draw (in W).'),
  DCGM_FI_DEV_POWER_USAGE_INSTANT: gauge('W', 'Instantaneous power draw (in W).'),
  DCGM_FI_DEV_POWER_MGMT_LIMIT: gauge('W', 'Power management limit (in W).'),
  DCGM_FI_DEV_ENFORCED_POWER_LIMIT: gauge('W', 'Enforced power limit (in W).'),
  DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION: counter('mJ', 'Total energy consumption since boot (in mJ).'),
  DCGM_FI_DEV_PCIE_REPLAY_COUNTER: counter('{replay}', 'Total number of PCIe retries.'),
  DCGM_FI_DEV_PCIE_LINK_GEN: gauge('1', 'PCIe current link generation.'),
  DCGM_FI_DEV_PCIE_LINK_WIDTH: gauge('1', 'PCIe current link width (lanes).'),
  DCGM_FI_DEV_GPU_UTIL: gauge('%', 'GPU utilization (in %).', 'percent'),
  DCGM_FI_DEV_MEM_COPY_UTIL: gauge('%', 'Memory utilization (in %).', 'percent'),
  DCGM_FI_DEV_ENC_UTIL: gauge('%', 'Encoder utilization (in %).', 'percent'),
  DCGM_FI_DEV_DEC_UTIL: gauge('%', 'Decoder utilization (in %).', 'percent'),
  DCGM_FI_DEV_FAN_SPEED: gauge('%', 'Fan speed (in % of maximum).'),
  DCGM_FI_DEV_PSTATE: gauge('1', 'Performance state (0 is P0, the highest).'),
  DCGM_FI_DEV_XID_ERRORS: gauge('1', 'Value of the last XID error encountered.'),
  DCGM_FI_DEV_CLOCKS_EVENT_REASONS: gauge('1', 'Current clock event (throttle) reasons, NVML bitmask.'),
  DCGM_FI_DEV_POWER_VIOLATION: counter('ns', 'Throttling duration due to power constraints (in ns).'),
  DCGM_FI_DEV_THERMAL_VIOLATION: counter('ns', 'Throttling duration due to thermal constraints (in ns).'),
  DCGM_FI_DEV_SYNC_BOOST_VIOLATION: counter('ns', 'Throttling duration due to sync-boost constraints (in ns).'),
  DCGM_FI_DEV_FB_TOTAL: gauge('MiBy', 'Framebuffer memory total (in MiB).'),
  DCGM_FI_DEV_FB_FREE: gauge('MiBy', 'Framebuffer memory free (in MiB).'),
  DCGM_FI_DEV_FB_USED: gauge('MiBy', 'Framebuffer memory used (in MiB).'),
  DCGM_FI_DEV_FB_RESERVED: gauge('MiBy', 'Framebuffer memory reserved (in MiB).'),
  DCGM_FI_DEV_ECC_SBE_VOL_TOTAL: counter('{error}', 'Total number of single-bit volatile ECC errors.'),
  DCGM_FI_DEV_ECC_DBE_VOL_TOTAL: counter('{error}', 'Total number of double-bit volatile ECC errors.'),
  DCGM_FI_DEV_ECC_SBE_AGG_TOTAL: counter('{error}', 'Total number of single-bit persistent ECC errors.'),
  DCGM_FI_DEV_ECC_DBE_AGG_TOTAL: counter('{error}', 'Total number of double-bit persistent ECC errors.'),
  DCGM_FI_DEV_RETIRED_SBE: counter('{page}', 'Total number of retired pages due to single-bit errors.'),
  DCGM_FI_DEV_RETIRED_DBE: counter('{page}', 'Total number of retired pages due to double-bit errors.'),
  DCGM_FI_DEV_RETIRED_PENDING: gauge('1', 'Whether pages are pending retirement (1) or not (0).'),
  DCGM_FI_DEV_NVLINK_BANDWIDTH_TOTAL: counter('1', 'Total number of NVLink bandwidth counters for all lanes.'),
  DCGM_FI_DEV_VGPU_LICENSE_STATUS: gauge('1', 'vGPU License status'),
  DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS: counter('{row}', 'Number of remapped rows for uncorrectable errors'),
  DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS: counter('{row}', 'Number of remapped rows for correctable errors'),
  DCGM_FI_DEV_ROW_REMAP_FAILURE: gauge('1', 'Whether remapping of rows has failed'),
  DCGM_FI_DEV_ROW_REMAP_PENDING: gauge('1', 'Whether remapping of rows is pending'),
  DCGM_FI_PROF_GR_ENGINE_ACTIVE: gauge('1', 'Ratio of time the graphics engine is active.', 'ratio'),
  DCGM_FI_PROF_SM_ACTIVE: gauge('1', 'The ratio of cycles an SM has at least 1 warp assigned.', 'ratio'),
  DCGM_FI_PROF_SM_OCCUPANCY: gauge('1', 'The ratio of number of warps resident on an SM.', 'ratio'),
  DCGM_FI_PROF_PIPE_TENSOR_ACTIVE: gauge('1', 'Ratio of cycles the tensor (HMMA) pipe is active.', 'ratio'),
  DCGM_FI_PROF_DRAM_ACTIVE: gauge(
    '1',
    'Ratio of cycles the device memory interface is active sending or receiving data.',
    'ratio',
  ),
  DCGM_FI_PROF_PIPE_FP64_ACTIVE: gauge('1', 'Ratio of cycles the fp64 pipes are active.', 'ratio'),
  DCGM_FI_PROF_PIPE_FP32_ACTIVE: gauge('1', 'Ratio of cycles the fp32 pipes are active.', 'ratio'),
  DCGM_FI_PROF_PIPE_FP16_ACTIVE: gauge('1', 'Ratio of cycles the fp16 pipes are active.', 'ratio'),
  DCGM_FI_PROF_PCIE_TX_BYTES: gauge(
    'By/s',
    'The rate of data transmitted over the PCIe bus - including both protocol headers and data payloads - in bytes per second.',
  ),
  DCGM_FI_PROF_PCIE_RX_BYTES: gauge(
    'By/s',
    'The rate of data received over the PCIe bus - including both protocol headers and data payloads - in bytes per second.',
  ),
};

/**
 * Whether a metric of a dcgm-exporter scrape is a DCGM field (dcgm-exporter names every field and
 * its own DCGM_EXP_* metrics so). Anything else in a scrape (`up`, `target_info`, another
 * exporter's metrics behind a proxy) must not be re-exported: the host's own exporter may write
 * the same family, and Prometheus rejects a scrape that has a family twice.
 */
export function isDcgmFieldName(name: string): boolean {
  return name.startsWith('DCGM_');
}

export function dcgmField(name: string): DcgmField | undefined {
  return Object.prototype.hasOwnProperty.call(DCGM_FIELDS, name) ? DCGM_FIELDS[name] : undefined;
}
