// An OTLP/HTTP endpoint on 127.0.0.1 that can be taken down and brought back on the same port:
// down, it drops every connection without an answer; up, it answers 200 to every request.
import { once } from 'node:events';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';

export class SwitchableCollector {
  up = false;
  accepted = 0;
  dropped = 0;
  private readonly server = createServer((request, response) => {
    if (!this.up) {
      this.dropped++;
      request.socket.destroy();
      return;
    }
    request.resume();
    request.on('end', () => {
      this.accepted++;
      response.writeHead(200, { 'content-type': 'application/json' });
      response.end('{}');
    });
  });

  async start(): Promise<string> {
    this.server.listen(0, '127.0.0.1');
    await once(this.server, 'listening');
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    this.server.closeAllConnections();
    this.server.close();
    await once(this.server, 'close');
  }
}
