import type { SmiConversion } from './smi-values.js';

/**
 * Which nvidia-smi value is which DCGM field, and how its text becomes the DCGM unit. nvidia-smi
 * has no total-energy query (`--help-query-gpu` of drivers 590/595 lists none), so
 * DCGM_FI_DEV_TOTAL_ENERGY_CONSUMPTION only comes from dcgm-exporter.
 */
export interface SmiFieldMapping {
  readonly field: string;
  readonly conversion: SmiConversion;
  /** The unit nvidia-smi prints (in the CSV header as `[unit]`, after the value in XML). */
  readonly unit?: string;
  /** Multiplier from nvidia-smi's unit to DCGM's (µs -> ns is 1000). */
  readonly scale?: number;
}

export interface SmiCsvColumn extends SmiFieldMapping {
  /** Column names as nvidia-smi prints them in the header, without the `[unit]`. */
  readonly columns: readonly string[];
}

const oneOrMany = (names: string | readonly string[]): readonly string[] =>
  typeof names === 'string' ? [names] : names;

/** What every mapping says after where its value is: the DCGM field, the conversion, nvidia-smi's unit and the scale. */
type MappingArgs = [field: string, conversion: SmiConversion, unit?: string, scale?: number];

const mapping = (...[field, conversion, unit, scale]: MappingArgs): SmiFieldMapping => ({
  field,
  conversion,
  ...(unit === undefined ? {} : { unit }),
  ...(scale === undefined ? {} : { scale }),
});

const csv = (columns: string | readonly string[], ...args: MappingArgs): SmiCsvColumn => ({
  columns: oneOrMany(columns),
  ...mapping(...args),
});

/** `nvidia-smi --query-gpu=... --format=csv` columns, matched by header name. */
export const SMI_CSV_COLUMNS: readonly SmiCsvColumn[] = [
  csv('utilization.gpu', 'DCGM_FI_DEV_GPU_UTIL', 'number', '%'),
  csv('utilization.memory', 'DCGM_FI_DEV_MEM_COPY_UTIL', 'number', '%'),
  csv('utilization.encoder', 'DCGM_FI_DEV_ENC_UTIL', 'number', '%'),
  csv('utilization.decoder', 'DCGM_FI_DEV_DEC_UTIL', 'number', '%'),
  csv('memory.total', 'DCGM_FI_DEV_FB_TOTAL', 'number', 'MiB'),
  csv('memory.used', 'DCGM_FI_DEV_FB_USED', 'number', 'MiB'),
  csv('memory.free', 'DCGM_FI_DEV_FB_FREE', 'number', 'MiB'),
  csv('memory.reserved', 'DCGM_FI_DEV_FB_RESERVED', 'number', 'MiB'),
  csv('temperature.gpu', 'DCGM_FI_DEV_GPU_TEMP', 'number'),
  csv('temperature.memory', 'DCGM_FI_DEV_MEMORY_TEMP', 'number'),
  csv('power.draw', 'DCGM_FI_DEV_POWER_USAGE', 'number', 'W'),
  csv('power.draw.instant', 'DCGM_FI_DEV_POWER_USAGE_INSTANT', 'number', 'W'),
  csv('power.limit', 'DCGM_FI_DEV_POWER_MGMT_LIMIT', 'number', 'W'),
  csv('enforced.power.limit', 'DCGM_FI_DEV_ENFORCED_POWER_LIMIT', 'number', 'W'),
  csv(['clocks.current.sm', 'clocks.sm'], 'DCGM_FI_DEV_SM_CLOCK', 'number', 'MHz'),
  csv(['clocks.current.memory', 'clocks.mem'], 'DCGM_FI_DEV_MEM_CLOCK', 'number', 'MHz'),
  csv(['clocks.current.video', 'clocks.video'], 'DCGM_FI_DEV_VIDEO_CLOCK', 'number', 'MHz'),
  csv(['clocks.max.sm', 'clocks.max.sm_clock'], 'DCGM_FI_DEV_MAX_SM_CLOCK', 'number', 'MHz'),
  csv(['clocks.max.memory', 'clocks.max.mem'], 'DCGM_FI_DEV_MAX_MEM_CLOCK', 'number', 'MHz'),
  csv('pcie.link.gen.current', 'DCGM_FI_DEV_PCIE_LINK_GEN', 'number'),
  csv('pcie.link.width.current', 'DCGM_FI_DEV_PCIE_LINK_WIDTH', 'number'),
  csv('fan.speed', 'DCGM_FI_DEV_FAN_SPEED', 'number', '%'),
  csv('pstate', 'DCGM_FI_DEV_PSTATE', 'pstate'),
  csv(['clocks_event_reasons.active', 'clocks_throttle_reasons.active'], 'DCGM_FI_DEV_CLOCKS_EVENT_REASONS', 'hex'),
  csv('clocks_event_reasons_counters.sw_power_cap', 'DCGM_FI_DEV_POWER_VIOLATION', 'number', 'us', 1000),
  csv('clocks_event_reasons_counters.hw_thermal_slowdown', 'DCGM_FI_DEV_THERMAL_VIOLATION', 'number', 'us', 1000),
  csv('clocks_event_reasons_counters.sync_boost', 'DCGM_FI_DEV_SYNC_BOOST_VIOLATION', 'number', 'us', 1000),
  csv('ecc.errors.corrected.volatile.total', 'DCGM_FI_DEV_ECC_SBE_VOL_TOTAL', 'number'),
  csv('ecc.errors.uncorrected.volatile.total', 'DCGM_FI_DEV_ECC_DBE_VOL_TOTAL', 'number'),
  csv('ecc.errors.corrected.aggregate.total', 'DCGM_FI_DEV_ECC_SBE_AGG_TOTAL', 'number'),
  csv('ecc.errors.uncorrected.aggregate.total', 'DCGM_FI_DEV_ECC_DBE_AGG_TOTAL', 'number'),
  csv('retired_pages.single_bit_ecc.count', 'DCGM_FI_DEV_RETIRED_SBE', 'number'),
  csv('retired_pages.double_bit.count', 'DCGM_FI_DEV_RETIRED_DBE', 'number'),
  csv('retired_pages.pending', 'DCGM_FI_DEV_RETIRED_PENDING', 'flag'),
  csv('remapped_rows.correctable', 'DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS', 'number'),
  csv('remapped_rows.uncorrectable', 'DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS', 'number'),
  csv('remapped_rows.pending', 'DCGM_FI_DEV_ROW_REMAP_PENDING', 'flag'),
  csv('remapped_rows.failure', 'DCGM_FI_DEV_ROW_REMAP_FAILURE', 'flag'),
];

/** CSV columns that become dcgm-exporter labels rather than values. */
export const SMI_CSV_LABEL_COLUMNS: Readonly<Record<string, string>> = {
  index: 'gpu',
  uuid: 'UUID',
  name: 'modelName',
  'pci.bus_id': 'pci_bus_id',
  driver_version: 'DCGM_FI_DRIVER_VERSION',
};

/** What the nvidia-smi source asks for: the mapped columns and the labels, in one query. */
export const SMI_QUERY_COLUMNS: readonly string[] = [
  ...Object.keys(SMI_CSV_LABEL_COLUMNS),
  'utilization.gpu',
  'utilization.memory',
  'utilization.encoder',
  'utilization.decoder',
  'memory.total',
  'memory.used',
  'memory.free',
  'temperature.gpu',
  'power.draw',
  'clocks.sm',
  'clocks.mem',
  'pcie.link.gen.current',
  'pcie.link.width.current',
  'pstate',
  'clocks_throttle_reasons.active',
  'ecc.errors.corrected.volatile.total',
  'ecc.errors.uncorrected.volatile.total',
];

export interface SmiXmlValue extends SmiFieldMapping {
  /** Element paths under `<gpu>`, first found wins (DTD v11 and v12 name some differently). */
  readonly paths: readonly (readonly string[])[];
}

const xml = (paths: string | readonly string[], ...args: MappingArgs): SmiXmlValue => ({
  paths: oneOrMany(paths).map((path) => path.split('/')),
  ...mapping(...args),
});

/** `nvidia-smi -q -x` elements under each `<gpu>`. */
export const SMI_XML_VALUES: readonly SmiXmlValue[] = [
  xml('utilization/gpu_util', 'DCGM_FI_DEV_GPU_UTIL', 'number', '%'),
  xml('utilization/memory_util', 'DCGM_FI_DEV_MEM_COPY_UTIL', 'number', '%'),
  xml('utilization/encoder_util', 'DCGM_FI_DEV_ENC_UTIL', 'number', '%'),
  xml('utilization/decoder_util', 'DCGM_FI_DEV_DEC_UTIL', 'number', '%'),
  xml('fb_memory_usage/total', 'DCGM_FI_DEV_FB_TOTAL', 'number', 'MiB'),
  xml('fb_memory_usage/used', 'DCGM_FI_DEV_FB_USED', 'number', 'MiB'),
  xml('fb_memory_usage/free', 'DCGM_FI_DEV_FB_FREE', 'number', 'MiB'),
  xml('fb_memory_usage/reserved', 'DCGM_FI_DEV_FB_RESERVED', 'number', 'MiB'),
  xml('temperature/gpu_temp', 'DCGM_FI_DEV_GPU_TEMP', 'number', 'C'),
  xml('temperature/memory_temp', 'DCGM_FI_DEV_MEMORY_TEMP', 'number', 'C'),
  xml(['power_readings/power_draw', 'gpu_power_readings/power_draw'], 'DCGM_FI_DEV_POWER_USAGE', 'number', 'W'),
  xml(
    ['power_readings/power_limit', 'gpu_power_readings/current_power_limit'],
    'DCGM_FI_DEV_POWER_MGMT_LIMIT',
    'number',
    'W',
  ),
  xml(
    ['power_readings/enforced_power_limit', 'gpu_power_readings/current_power_limit'],
    'DCGM_FI_DEV_ENFORCED_POWER_LIMIT',
    'number',
    'W',
  ),
  xml('clocks/sm_clock', 'DCGM_FI_DEV_SM_CLOCK', 'number', 'MHz'),
  xml('clocks/mem_clock', 'DCGM_FI_DEV_MEM_CLOCK', 'number', 'MHz'),
  xml('clocks/video_clock', 'DCGM_FI_DEV_VIDEO_CLOCK', 'number', 'MHz'),
  xml('max_clocks/sm_clock', 'DCGM_FI_DEV_MAX_SM_CLOCK', 'number', 'MHz'),
  xml('max_clocks/mem_clock', 'DCGM_FI_DEV_MAX_MEM_CLOCK', 'number', 'MHz'),
  xml('pci/replay_counter', 'DCGM_FI_DEV_PCIE_REPLAY_COUNTER', 'number'),
  xml('pci/pci_gpu_link_info/pcie_gen/current_link_gen', 'DCGM_FI_DEV_PCIE_LINK_GEN', 'number'),
  xml('pci/pci_gpu_link_info/link_widths/current_link_width', 'DCGM_FI_DEV_PCIE_LINK_WIDTH', 'number', 'x'),
  xml('fan_speed', 'DCGM_FI_DEV_FAN_SPEED', 'number', '%'),
  xml('performance_state', 'DCGM_FI_DEV_PSTATE', 'pstate'),
  xml('retired_pages/multiple_single_bit_retirement/retired_count', 'DCGM_FI_DEV_RETIRED_SBE', 'number'),
  xml('retired_pages/double_bit_retirement/retired_count', 'DCGM_FI_DEV_RETIRED_DBE', 'number'),
  xml('retired_pages/pending_retirement', 'DCGM_FI_DEV_RETIRED_PENDING', 'flag'),
  xml('remapped_rows/remapped_row_corr', 'DCGM_FI_DEV_CORRECTABLE_REMAPPED_ROWS', 'number'),
  xml('remapped_rows/remapped_row_unc', 'DCGM_FI_DEV_UNCORRECTABLE_REMAPPED_ROWS', 'number'),
  xml('remapped_rows/remapped_row_pending', 'DCGM_FI_DEV_ROW_REMAP_PENDING', 'flag'),
  xml('remapped_rows/remapped_row_failure', 'DCGM_FI_DEV_ROW_REMAP_FAILURE', 'flag'),
];

/** ECC counts in XML are split by memory (SRAM, DRAM): the DCGM totals are their sums. */
export const SMI_XML_ECC_TOTALS: readonly { readonly field: string; readonly paths: readonly (readonly string[])[] }[] =
  [
    ['DCGM_FI_DEV_ECC_SBE_VOL_TOTAL', 'volatile', 'correctable'],
    ['DCGM_FI_DEV_ECC_DBE_VOL_TOTAL', 'volatile', 'uncorrectable'],
    ['DCGM_FI_DEV_ECC_SBE_AGG_TOTAL', 'aggregate', 'correctable'],
    ['DCGM_FI_DEV_ECC_DBE_AGG_TOTAL', 'aggregate', 'uncorrectable'],
  ].map(([field, scope, kind]) => ({
    field: field as string,
    paths: [
      ['ecc_errors', scope as string, `sram_${kind}`],
      ['ecc_errors', scope as string, `dram_${kind}`],
    ],
  }));

/**
 * NVML's clock event (throttle) reason bits, as DCGM_FI_DEV_CLOCKS_EVENT_REASONS carries them.
 * XML lists each reason as Active / Not Active under `clocks_event_reasons` (DTD v12) or
 * `clocks_throttle_reasons` (v11).
 */
export const CLOCK_EVENT_REASON_BITS: Readonly<Record<string, number>> = {
  gpu_idle: 0x1,
  applications_clocks_setting: 0x2,
  sw_power_cap: 0x4,
  hw_slowdown: 0x8,
  sync_boost: 0x10,
  sw_thermal_slowdown: 0x20,
  hw_thermal_slowdown: 0x40,
  hw_power_brake_slowdown: 0x80,
  display_clocks_setting: 0x100,
};
