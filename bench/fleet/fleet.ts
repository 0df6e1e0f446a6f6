// A fleet as OpenMetrics text with timestamps, written to a file in pieces (10,000 maps are
// gigabytes of text): services of five kinds, each with presized maps (most quiet, some growing
// toward their hint and past it, a few in a resize storm) and an lru-cache, and GPU nodes of eight
// H100s with the labels of a real dcgm-exporter scrape. The same file feeds `promtool tsdb
// create-blocks-from openmetrics` and, with timestamps in milliseconds, VictoriaMetrics' import API.
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import {
  DCGM_CLOCK_EVENT_REASONS,
  DCGM_FB_FREE,
  DCGM_FB_USED,
  DCGM_GPU_TEMP,
  DCGM_GPU_UTIL,
  DCGM_MEM_COPY_UTIL,
  DCGM_POWER_USAGE,
  DCGM_SM_CLOCK,
  DCGM_XID_ERRORS,
  PROM_LRU_ENTRIES,
  PROM_LRU_EVICTIONS_TOTAL,
  PROM_LRU_MAX,
  PROM_LRU_OPERATIONS_TOTAL,
  PROM_MAP_BUCKETS,
  PROM_MAP_ENTRIES,
  PROM_MAP_EVACUATION_STALL,
  PROM_MAP_GROWING,
  PROM_MAP_GROWTHS_TOTAL,
  PROM_MAP_HINT,
  PROM_MAP_LOAD_FACTOR,
  PROM_MAP_NEXT_GROWTH_AT,
} from '../../definitions/src/index.js';

export interface FleetShape {
  services: number;
  mapsPerService: number;
  gpus: number;
  /** Simulated time: samples every stepSeconds from end - hours to end. */
  hours: number;
  stepSeconds: number;
}

export interface FleetFile {
  series: number;
  samples: number;
  bytes: number;
  maps: number;
  caches: number;
  gpus: number;
  services: number;
}

const KINDS = ['device-logs', 'checkout', 'search', 'sessions', 'ingest'];
const GPUS_PER_NODE = 8;

/** Go's growth point for an entry count: 6.5 entries per bucket of the smallest table above it. */
function bucketsFor(entries: number): number {
  let b = 0;
  while (6.5 * 2 ** b <= entries) b++;
  return 2 ** b;
}

type Value = (elapsed: number) => number;
interface Series {
  name: string;
  labels: string;
  value: Value;
  /**
   * The count a counter or histogram series starts with: it is written from the first point where
   * this is above 0 on, as the exporter shows a growth, eviction or stall series only once it has
   * counted one. Gauges are written from the start.
   */
  counted: Value | undefined;
}
type Families = Map<string, { type: 'gauge' | 'counter' | 'histogram'; series: Series[] }>;

function familyAdder(families: Families) {
  return (
    family: string,
    type: 'gauge' | 'counter' | 'histogram',
    name: string,
    labels: string,
    value: Value,
    counted: Value | undefined = type === 'counter' ? value : undefined,
  ) => {
    const entry = families.get(family) ?? { type, series: [] };
    entry.series.push({ name, labels, value, counted });
    families.set(family, entry);
  };
}

/** One service's series: what a process with `mapsPerService` presized maps and an lru-cache exports. */
function serviceSeries(service: number, shape: FleetShape, hint: (map: number) => number): Families {
  const families: Families = new Map();
  const add = familyAdder(families);
  const job = `${KINDS[service % KINDS.length]}-${String(service).padStart(3, '0')}`;
  const base = `job="${job}",instance="10.${Math.floor(service / 250)}.${service % 250}.7:9464"`;
  const span = shape.hours * 3600;
  for (let m = 0; m < shape.mapsPerService; m++) {
    const mapIndex = service * shape.mapsPerService + m;
    const labels = `${base},presize_map_name="map-${String(m).padStart(2, '0')}"`;
    const h = hint(mapIndex);
    // 1 in 20 storming (doubling every 45 s in its last ten minutes), 1 in 5 growing steadily to
    // three times its hint over the window, the rest quiet at 40 % to 90 % of their hint.
    const kind = mapIndex % 20 === 0 ? 'storming' : mapIndex % 5 === 0 ? 'growing' : 'quiet';
    const entries: Value =
      kind === 'storming'
        ? (t) => Math.round(h * 0.5 * 2 ** Math.max(0, (t - (span - 600)) / 45))
        : kind === 'growing'
          ? (t) => Math.round(h * (0.5 + (2.5 * t) / span))
          : () => Math.round(h * (0.4 + ((mapIndex * 7) % 50) / 100));
    const growths: Value = (t) => Math.log2(bucketsFor(entries(t)) / bucketsFor(entries(0)));
    add(PROM_MAP_ENTRIES, 'gauge', PROM_MAP_ENTRIES, labels, entries);
    add(PROM_MAP_HINT, 'gauge', PROM_MAP_HINT, labels, () => h);
    add(PROM_MAP_BUCKETS, 'gauge', PROM_MAP_BUCKETS, labels, (t) => bucketsFor(entries(t)));
    add(PROM_MAP_LOAD_FACTOR, 'gauge', PROM_MAP_LOAD_FACTOR, labels, (t) => entries(t) / bucketsFor(entries(t)));
    add(PROM_MAP_NEXT_GROWTH_AT, 'gauge', PROM_MAP_NEXT_GROWTH_AT, labels, (t) => 6.5 * bucketsFor(entries(t)));
    add(PROM_MAP_GROWING, 'gauge', PROM_MAP_GROWING, labels, (t) =>
      growths(t) !== growths(Math.max(0, t - shape.stepSeconds)) ? 1 : 0,
    );
    const growthsFamily = PROM_MAP_GROWTHS_TOTAL.replace(/_total$/, '');
    add(
      growthsFamily,
      'counter',
      PROM_MAP_GROWTHS_TOTAL,
      `${labels},presize_map_growth_kind="double",presize_map_growth_trigger="load_factor"`,
      growths,
    );
    add(
      growthsFamily,
      'counter',
      PROM_MAP_GROWTHS_TOTAL,
      `${labels},presize_map_growth_kind="same_size",presize_map_growth_trigger="overflow"`,
      (t) => (kind === 'quiet' ? 0 : Math.floor(t / 1800)),
    );
    // Writes that paid evacuation work, in maps that grow: 20 a second, 1 % of them over 1 ms.
    const stall = PROM_MAP_EVACUATION_STALL;
    const stalls: Value = (t) => (kind === 'quiet' ? 0 : 20 * t);
    add(stall, 'histogram', `${stall}_bucket`, `${labels},le="0.001"`, (t) => Math.round(stalls(t) * 0.99), stalls);
    add(stall, 'histogram', `${stall}_bucket`, `${labels},le="+Inf"`, stalls, stalls);
    add(stall, 'histogram', `${stall}_count`, labels, stalls, stalls);
    add(stall, 'histogram', `${stall}_sum`, labels, (t) => Math.round(stalls(t) * 0.0003 * 1e6) / 1e6, stalls);
  }
  const cache = `${base},presize_lru_name="lookups"`;
  const full = service % 10 === 0;
  add(PROM_LRU_ENTRIES, 'gauge', PROM_LRU_ENTRIES, cache, () => (full ? 10_000 : 2_000));
  add(PROM_LRU_MAX, 'gauge', PROM_LRU_MAX, cache, () => 10_000);
  const evictions = PROM_LRU_EVICTIONS_TOTAL.replace(/_total$/, '');
  add(evictions, 'counter', PROM_LRU_EVICTIONS_TOTAL, cache, (t) => (full ? 100 * t : 0));
  const operations = PROM_LRU_OPERATIONS_TOTAL.replace(/_total$/, '');
  add(
    operations,
    'counter',
    PROM_LRU_OPERATIONS_TOTAL,
    `${cache},presize_lru_operation="get",presize_lru_result="hit"`,
    (t) => 300 * t,
  );
  add(
    operations,
    'counter',
    PROM_LRU_OPERATIONS_TOTAL,
    `${cache},presize_lru_operation="get",presize_lru_result="miss"`,
    (t) => (full ? 200 : 5) * t,
  );
  return families;
}

function gpuSeries(gpus: number): Families {
  const families: Families = new Map();
  const gauge = familyAdder(families);
  const add = (name: string, labels: string, value: Value) => gauge(name, 'gauge', name, labels, value);
  for (let g = 0; g < gpus; g++) {
    const node = Math.floor(g / GPUS_PER_NODE);
    const index = g % GPUS_PER_NODE;
    const hex = g.toString(16).padStart(12, '0');
    const labels =
      `job="dcgm-exporter",instance="gpu-node-${node}:9400",gpu="${index}",UUID="GPU-c4529c8d-69c4-b61d-e0bc-${hex}",` +
      `pci_bus_id="00000000:${(0x53 + index * 0x11).toString(16).toUpperCase()}:00.0",device="nvidia${index}",` +
      `modelName="NVIDIA H100 80GB HBM3",Hostname="gpu-node-${node}",DCGM_FI_DRIVER_VERSION="580.105.08"`;
    // Most inside the 55-75 % band, 1 in 10 idle, 1 in 25 hot with a full framebuffer and throttling.
    const hot = g % 25 === 0;
    const idle = !hot && g % 10 === 0;
    add(DCGM_GPU_UTIL, labels, (t) => (hot ? 97 : idle ? 5 : 60 + ((t / 60 + g) % 10)));
    add(DCGM_MEM_COPY_UTIL, labels, () => (hot ? 70 : 30));
    add(DCGM_FB_USED, labels, () => (hot ? 80_000 : 40_000));
    add(DCGM_FB_FREE, labels, () => (hot ? 1_000 : 41_000));
    add(DCGM_POWER_USAGE, labels, () => (hot ? 690 : 420));
    add(DCGM_GPU_TEMP, labels, () => (hot ? 88 : 61));
    add(DCGM_SM_CLOCK, labels, () => (hot ? 1410 : 1980));
    add(DCGM_XID_ERRORS, labels, () => 0);
    add(DCGM_CLOCK_EVENT_REASONS, labels, () => (hot ? 0x40 : 0));
  }
  for (let node = 0; node * GPUS_PER_NODE < gpus; node++)
    add('up', `job="dcgm-exporter",instance="gpu-node-${node}:9400"`, () => 1);
  return families;
}

/**
 * Writes the fleet ending at `endSeconds` to `path`. Families are written whole, as OpenMetrics
 * requires: map families service by service would interleave them, so each family is written in
 * one pass over the services.
 */
export async function writeFleet(path: string, shape: FleetShape, endSeconds: number): Promise<FleetFile> {
  const out = createWriteStream(path);
  let bytes = 0;
  let samples = 0;
  let series = 0;
  const write = async (text: string) => {
    bytes += Buffer.byteLength(text);
    if (!out.write(text)) await once(out, 'drain');
  };
  const start = endSeconds - shape.hours * 3600;
  const points = Math.floor((shape.hours * 3600) / shape.stepSeconds) + 1;
  const emit = async (list: Series[]) => {
    let chunk = '';
    for (const { name, labels, value, counted } of list) {
      let first = 0;
      while (counted !== undefined && first < points && counted(first * shape.stepSeconds) <= 0) first++;
      if (first === points) continue;
      series++;
      for (let i = first; i < points; i++) {
        const elapsed = i * shape.stepSeconds;
        chunk += `${name}{${labels}} ${value(elapsed)} ${start + elapsed}\n`;
      }
      samples += points - first;
      if (chunk.length > 1 << 20) {
        await write(chunk);
        chunk = '';
      }
    }
    if (chunk) await write(chunk);
  };
  const hint = (map: number) => 1_000 * 2 ** (map % 8);
  const perService = Array.from({ length: shape.services }, (_, s) => serviceSeries(s, shape, hint));
  const familyNames = [...(perService[0]?.keys() ?? [])];
  for (const family of familyNames) {
    await write(`# TYPE ${family} ${perService[0]?.get(family)?.type}\n`);
    for (const service of perService) await emit(service.get(family)?.series ?? []);
  }
  for (const [family, { type, series: list }] of gpuSeries(shape.gpus)) {
    await write(`# TYPE ${family} ${type}\n`);
    await emit(list);
  }
  await write('# EOF\n');
  out.end();
  await once(out, 'finish');
  return {
    series,
    samples,
    bytes,
    maps: shape.services * shape.mapsPerService,
    caches: shape.services,
    gpus: shape.gpus,
    services: shape.services,
  };
}
