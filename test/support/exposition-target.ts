import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ExpositionTarget {
  /** host:port to scrape. */
  target: string;
  close(): Promise<void>;
}

/** An HTTP server on 127.0.0.1 that answers every request with `exposition`, for a real Prometheus to scrape. */
export async function startExpositionTarget(exposition: string): Promise<ExpositionTarget> {
  const server = createServer((_request, response) => {
    response.setHeader('content-type', 'text/plain; version=0.0.4');
    response.end(exposition);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const { port } = server.address() as AddressInfo;
  return {
    target: `127.0.0.1:${port}`,
    close: () => new Promise<void>((done) => server.close(() => done())),
  };
}
