// The device-log service's HTTP surface, plain node:http:
//   POST /events              {"deviceId","log"} or an array of them: append to each device's last 10
//   GET  /devices/:id/logs    that device's lines, oldest first
//   GET  /stats               the cache's size and map statistics, and the process's GC figures
//   GET  /healthz             200 once serving
// A request with any invalid event is refused whole with a 400 that names the event and the field.
import { createServer } from 'node:http';

export const MAX_BODY_BYTES = 1024 * 1024;
export const MAX_EVENTS_PER_REQUEST = 1_000;
export const MAX_DEVICE_ID_LENGTH = 128;
export const MAX_LOG_LENGTH = 8 * 1024;

class HttpError extends Error {
  constructor(status, message, headers = {}) {
    super(message);
    this.status = status;
    this.headers = headers;
  }
}

function send(response, status, body, headers = {}) {
  const text = JSON.stringify(body);
  response.writeHead(status, {
    'content-type': 'application/json; charset=utf-8',
    'content-length': Buffer.byteLength(text),
    ...headers,
  });
  response.end(text);
}

function describe(value) {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') return `a string of ${value.length} characters`;
  return typeof value === 'object' ? 'an object' : `${typeof value} ${JSON.stringify(value)}`;
}

// Control characters and "/" would make an id that cannot be read back through /devices/:id/logs.
const DEVICE_ID_FORBIDDEN = /[\u0000-\u001f\u007f/]/;

function checkDeviceId(deviceId, where) {
  if (typeof deviceId !== 'string' || deviceId.length === 0 || deviceId.length > MAX_DEVICE_ID_LENGTH) {
    throw new HttpError(
      400,
      `${where}deviceId must be a non-empty string of at most ${MAX_DEVICE_ID_LENGTH} characters, got ${describe(deviceId)}`,
    );
  }
  if (DEVICE_ID_FORBIDDEN.test(deviceId)) {
    throw new HttpError(
      400,
      `${where}deviceId must not contain "/" or control characters, got ${JSON.stringify(deviceId)}`,
    );
  }
  // A URL path normalises "." and ".." (even percent-encoded) away, and a lone surrogate has no
  // UTF-8 form to percent-encode: such an id could be stored but never read back.
  if (deviceId === '.' || deviceId === '..') {
    throw new HttpError(
      400,
      `${where}deviceId must not be "." or "..", which a URL path cannot carry, got ${JSON.stringify(deviceId)}`,
    );
  }
  if (!deviceId.isWellFormed()) {
    throw new HttpError(
      400,
      `${where}deviceId must be well-formed Unicode (no lone surrogate), got ${JSON.stringify(deviceId)}`,
    );
  }
}

/** `label` names the event in messages: "" for a single-event body, "events[3]" in a batch. */
function checkEvent(event, label) {
  if (event === null || typeof event !== 'object' || Array.isArray(event)) {
    throw new HttpError(
      400,
      `${label || 'body'} must be an object {"deviceId": string, "log": string}, got ${describe(event)}`,
    );
  }
  const where = label ? `${label}.` : '';
  checkDeviceId(event.deviceId, where);
  if (typeof event.log !== 'string' || event.log.length > MAX_LOG_LENGTH) {
    throw new HttpError(
      400,
      `${where}log must be a string of at most ${MAX_LOG_LENGTH} characters, got ${describe(event.log)}`,
    );
  }
}

/** The events of a POST /events body, all checked before any is applied. */
export function parseEvents(text) {
  let body;
  try {
    body = JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, `body is not valid JSON: ${error.message}`);
  }
  if (!Array.isArray(body)) {
    checkEvent(body, '');
    return [body];
  }
  if (body.length === 0 || body.length > MAX_EVENTS_PER_REQUEST) {
    throw new HttpError(400, `a batch must hold from 1 to ${MAX_EVENTS_PER_REQUEST} events, got ${body.length}`);
  }
  body.forEach((event, index) => checkEvent(event, `events[${index}]`));
  return body;
}

// A body over the limit is read to its end and dropped before the 413 goes out: answering and
// closing while the client still writes makes the client see a broken pipe instead of the answer.
function readBody(request) {
  return new Promise((resolve, reject) => {
    const declared = Number(request.headers['content-length']);
    const chunks = [];
    let received = 0;
    let tooLarge = declared > MAX_BODY_BYTES;
    request.on('data', (chunk) => {
      received += chunk.length;
      tooLarge ||= received > MAX_BODY_BYTES;
      if (tooLarge) chunks.length = 0;
      else chunks.push(chunk);
    });
    request.on('end', () => {
      if (!tooLarge) {
        resolve(Buffer.concat(chunks).toString('utf8'));
        return;
      }
      const size = declared > MAX_BODY_BYTES ? `of ${declared} bytes ` : '';
      reject(new HttpError(413, `body ${size}exceeds the limit of ${MAX_BODY_BYTES} bytes`));
    });
    request.on('error', reject);
  });
}

function checkJsonContentType(request) {
  const type = request.headers['content-type'];
  if (type !== undefined && !/^application\/json\s*(;|$)/i.test(type)) {
    throw new HttpError(415, `content-type must be application/json, got ${JSON.stringify(type)}`);
  }
}

function methodNotAllowed(allowed) {
  return new HttpError(405, `method not allowed here; use ${allowed}`, { allow: allowed });
}

const DEVICE_LOGS_PATH = /^\/devices\/([^/]+)\/logs$/;

/**
 * The service over `cache` (see caches.mjs). `processStats` (see process-stats.mjs) supplies the
 * process figures of GET /stats.
 */
export function createDeviceLogsServer({ cache, processStats }) {
  async function handle(request, response) {
    const { pathname } = new URL(request.url ?? '/', 'http://service');
    if (pathname === '/events') {
      if (request.method !== 'POST') throw methodNotAllowed('POST');
      checkJsonContentType(request);
      const events = parseEvents(await readBody(request));
      for (const event of events) cache.append(event.deviceId, event.log);
      send(response, 200, { accepted: events.length });
      return;
    }
    const match = DEVICE_LOGS_PATH.exec(pathname);
    if (match) {
      if (request.method !== 'GET') throw methodNotAllowed('GET');
      let deviceId;
      try {
        deviceId = decodeURIComponent(match[1]);
      } catch {
        throw new HttpError(400, `device id in the path is not valid percent-encoding: ${match[1]}`);
      }
      checkDeviceId(deviceId, 'path ');
      const logs = cache.logs(deviceId);
      if (logs === undefined) throw new HttpError(404, `no logs for device ${JSON.stringify(deviceId)}`);
      send(response, 200, { deviceId, logs });
      return;
    }
    if (pathname === '/stats') {
      if (request.method !== 'GET') throw methodNotAllowed('GET');
      send(response, 200, {
        cache: cache.kind,
        description: cache.describe(),
        size: cache.size,
        map: cache.stats(),
        process: processStats.snapshot(),
      });
      return;
    }
    if (pathname === '/healthz') {
      if (request.method !== 'GET') throw methodNotAllowed('GET');
      send(response, 200, { ok: true, cache: cache.kind });
      return;
    }
    throw new HttpError(404, `no route for ${request.method} ${pathname}`);
  }

  return createServer((request, response) => {
    handle(request, response).catch((error) => {
      if (response.headersSent) {
        response.destroy(error);
        return;
      }
      if (error instanceof HttpError) {
        send(response, error.status, { error: error.message }, error.headers);
      } else {
        console.error('device-logs: unexpected error:', error);
        send(response, 500, { error: 'internal error; see the service log' });
      }
    });
  });
}
