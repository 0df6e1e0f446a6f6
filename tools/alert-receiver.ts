import { createServer, type Server } from 'node:http';

/** An alert as vmalert posts it to an Alertmanager (API v2). */
export interface ReceivedAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  startsAt?: string;
  endsAt?: string;
}

export interface AlertReceiver {
  url: string;
  /** Alerts of the latest post for each alert identity (its labels), firing or resolved. */
  alerts(): ReceivedAlert[];
  close(): Promise<void>;
}

const MAX_BODY_BYTES = 8 * 1024 * 1024;

/**
 * The Alertmanager end of vmalert on 127.0.0.1: vmalert refuses to load alerting rules without a
 * notifier, and what it sends is what a test checks.
 */
export async function startAlertReceiver(): Promise<AlertReceiver> {
  const latest = new Map<string, ReceivedAlert>();
  const server: Server = createServer((request, response) => {
    if (request.method !== 'POST' || !request.url?.startsWith('/api/v2/alerts')) {
      response.writeHead(404).end();
      return;
    }
    const chunks: Buffer[] = [];
    let size = 0;
    request.on('data', (chunk: Buffer) => {
      size += chunk.length;
      if (size > MAX_BODY_BYTES) request.destroy();
      else chunks.push(chunk);
    });
    request.on('end', () => {
      try {
        for (const alert of JSON.parse(Buffer.concat(chunks).toString('utf8')) as ReceivedAlert[]) {
          latest.set(JSON.stringify(Object.entries(alert.labels ?? {}).sort()), alert);
        }
        response.writeHead(200).end();
      } catch (error) {
        response.writeHead(400).end(`not a list of alerts: ${(error as Error).message}`);
      }
    });
  });
  await new Promise<void>((listening) => server.listen(0, '127.0.0.1', listening));
  const address = server.address();
  const port = typeof address === 'object' && address !== null ? address.port : 0;
  return {
    url: `http://127.0.0.1:${port}`,
    alerts: () => [...latest.values()],
    close: () => new Promise<void>((closed) => server.close(() => closed())),
  };
}
