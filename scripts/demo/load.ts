// The incident's traffic against a device-log service: `devices` distinct device ids arrive over
// the first part of the run while every device already seen keeps reporting, so the cache passes
// each growth threshold under steady load. Requests go over keep-alive connections, `concurrency`
// of them in flight; each request's latency is measured here, at the client.
import { Agent, request } from 'node:http';

export interface LoadOptions {
  /** Base URL of the service, e.g. http://127.0.0.1:8080. */
  url: string;
  durationMs: number;
  /** Distinct device ids that arrive during the run. */
  devices: number;
  /** Requests in flight at once, each on its own keep-alive connection. */
  concurrency?: number;
  /** Events per POST /events request. */
  batchSize?: number;
  /** Share of the run over which the device ids arrive (the rest is steady state). */
  arrivalShare?: number;
  /** Every n-th request is a GET of one device's logs instead of a write. 0 turns reads off. */
  readEvery?: number;
  /** Seed of the choice of devices, so runs are repeatable. */
  seed?: number;
  /** Called about once a second while the load runs. */
  onProgress?: (progress: LoadProgress) => void;
  signal?: AbortSignal;
}

export interface LoadProgress {
  elapsedMs: number;
  durationMs: number;
  devicesArrived: number;
  writes: number;
  events: number;
  /** Events per second over the last second. */
  eventsPerSecond: number;
  /** Slowest write of the last second, milliseconds. */
  slowestRecentMs: number;
}

export interface LoadResult {
  elapsedMs: number;
  devicesArrived: number;
  /** Write requests answered 200. */
  writes: number;
  events: number;
  reads: number;
  /** Requests answered with anything but success, or failed on the wire. */
  errors: number;
  firstError?: string;
  /** Latency of every successful write request, milliseconds, in the order they completed. */
  writeLatenciesMs: Float64Array;
}

export const DEFAULT_CONCURRENCY = 8;
export const DEFAULT_BATCH_SIZE = 25;
export const DEFAULT_ARRIVAL_SHARE = 0.7;
export const DEFAULT_READ_EVERY = 20;

/** A device id of the form dev_8a3f9c2e; distinct for distinct indexes below 2^32. */
export function deviceId(index: number): string {
  // Multiplying by an odd constant is a bijection modulo 2^32, so ids never collide.
  const scrambled = Math.imul(index, 0x9e3779b1) >>> 0;
  return `dev_${scrambled.toString(16).padStart(8, '0')}`;
}

/** mulberry32: small, fast, and good enough to pick devices. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** How many of `devices` have arrived `elapsedMs` into the run: a steady stream, then all of them. */
export function devicesDue(
  elapsedMs: number,
  options: Pick<LoadOptions, 'durationMs' | 'devices' | 'arrivalShare'>,
): number {
  const arrivalMs = options.durationMs * (options.arrivalShare ?? DEFAULT_ARRIVAL_SHARE);
  if (elapsedMs >= arrivalMs) return options.devices;
  return Math.floor((options.devices * Math.max(0, elapsedMs)) / arrivalMs);
}

class LatencyLog {
  private values = new Float64Array(1 << 16);
  length = 0;

  push(value: number): void {
    if (this.length === this.values.length) {
      const grown = new Float64Array(this.values.length * 2);
      grown.set(this.values);
      this.values = grown;
    }
    this.values[this.length++] = value;
  }

  toArray(): Float64Array {
    return this.values.slice(0, this.length);
  }
}

interface Reply {
  status: number;
  body: string;
}

function send(agent: Agent, url: URL, method: string, path: string, body?: string): Promise<Reply> {
  return new Promise((resolve, reject) => {
    const req = request(
      {
        agent,
        host: url.hostname,
        port: url.port,
        method,
        path,
        headers:
          body === undefined ? {} : { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }));
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(body);
  });
}

/**
 * Runs the load for `durationMs` and returns what the client measured. A service too slow to take
 * every device in that time (a loaded machine) gets up to twice as long again, so that a run always
 * brings the whole fleet and its growths; `elapsedMs` says how long it took.
 */
export async function runLoad(options: LoadOptions): Promise<LoadResult> {
  const concurrency = options.concurrency ?? DEFAULT_CONCURRENCY;
  const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
  const readEvery = options.readEvery ?? DEFAULT_READ_EVERY;
  if (!(options.devices >= 1 && Number.isInteger(options.devices))) {
    throw new RangeError(`devices must be a positive integer, got ${options.devices}`);
  }
  if (!(options.durationMs > 0)) throw new RangeError(`durationMs must be positive, got ${options.durationMs}`);
  const url = new URL(options.url);
  const agent = new Agent({ keepAlive: true, maxSockets: concurrency });
  const next = random(options.seed ?? 1);
  const latencies = new LatencyLog();
  const started = performance.now();
  const end = started + options.durationMs;
  const overtimeEnd = started + 3 * options.durationMs;
  let arrived = 0;
  let writes = 0;
  let events = 0;
  let reads = 0;
  let errors = 0;
  let firstError: string | undefined;
  let requestNumber = 0;
  let sequence = 0;
  let windowEvents = 0;
  let windowSlowest = 0;

  const fail = (message: string): void => {
    errors++;
    firstError ??= message;
  };

  const batch = (now: number): string => {
    const due = devicesDue(now - started, options);
    const parts: string[] = [];
    const stamp = new Date().toISOString();
    for (let i = 0; i < batchSize; i++) {
      // New devices first, as many as are due; the rest of the batch comes from devices already seen.
      const index = arrived < due || arrived === 0 ? arrived++ : Math.floor(next() * arrived);
      const line = `${stamp} level=info msg="heartbeat" seq=${sequence++} rssi=-${40 + (sequence % 50)} fw=4.2.${index % 7}`;
      parts.push(JSON.stringify({ deviceId: deviceId(index), log: line }));
    }
    return `[${parts.join(',')}]`;
  };

  const progress = options.onProgress
    ? setInterval(() => {
        options.onProgress?.({
          elapsedMs: performance.now() - started,
          durationMs: options.durationMs,
          devicesArrived: arrived,
          writes,
          events,
          eventsPerSecond: windowEvents,
          slowestRecentMs: windowSlowest,
        });
        windowEvents = 0;
        windowSlowest = 0;
      }, 1_000)
    : undefined;

  // Devices below a write's floor were all introduced by writes that have been answered, so a read
  // of one of them must find it; devices a write still in flight introduces may not be there yet.
  const writeFloors = new Set<{ floor: number }>();
  const readable = (): number => {
    let lowest = arrived;
    for (const write of writeFloors) lowest = Math.min(lowest, write.floor);
    return lowest;
  };

  const worker = async (): Promise<void> => {
    const running = (now: number): boolean => now < end || (arrived < options.devices && now < overtimeEnd);
    while (running(performance.now()) && !options.signal?.aborted) {
      const number = ++requestNumber;
      const known = readable();
      if (readEvery > 0 && number % readEvery === 0 && known > 0) {
        const id = deviceId(Math.floor(next() * known));
        try {
          const reply = await send(agent, url, 'GET', `/devices/${id}/logs`);
          if (reply.status === 200) reads++;
          else fail(`GET /devices/${id}/logs answered ${reply.status}: ${reply.body}`);
        } catch (error) {
          fail(`GET /devices/${id}/logs failed: ${(error as Error).message}`);
        }
        continue;
      }
      const write = { floor: arrived };
      writeFloors.add(write);
      const body = batch(performance.now());
      const sent = performance.now();
      try {
        const reply = await send(agent, url, 'POST', '/events', body);
        const latency = performance.now() - sent;
        if (reply.status !== 200) {
          fail(`POST /events answered ${reply.status}: ${reply.body}`);
          continue;
        }
        latencies.push(latency);
        writes++;
        events += batchSize;
        windowEvents += batchSize;
        if (latency > windowSlowest) windowSlowest = latency;
      } catch (error) {
        fail(`POST /events failed: ${(error as Error).message}`);
        // A service that went away must not turn this loop into a busy spin.
        await new Promise((done) => setTimeout(done, 50));
      } finally {
        writeFloors.delete(write);
      }
    }
  };

  try {
    await Promise.all(Array.from({ length: concurrency }, worker));
  } finally {
    if (progress) clearInterval(progress);
    agent.destroy();
  }
  return {
    elapsedMs: performance.now() - started,
    devicesArrived: arrived,
    writes,
    events,
    reads,
    errors,
    ...(firstError === undefined ? {} : { firstError }),
    writeLatenciesMs: latencies.toArray(),
  };
}
