import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';

export type CdnHandler = (request: IncomingMessage, response: ServerResponse) => void;

/**
 * A stand-in for a music CDN on 127.0.0.1 (a random port): each test sets `handler`; requests are counted,
 * and `reset()` cuts every open connection and stops the intervals a handler registered in `timers`.
 */
export interface CdnServer {
  readonly base: string;
  handler: CdnHandler;
  requests: number;
  readonly timers: Set<NodeJS.Timeout>;
  reset(): void;
  stop(): Promise<void>;
}

export async function startCdnServer(): Promise<CdnServer> {
  const sockets = new Set<Socket>();
  const server: Server = createServer((request, response) => {
    cdn.requests += 1;
    cdn.handler(request, response);
  });
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.once('close', () => sockets.delete(socket));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const cdn: CdnServer = {
    base: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    handler: (_request, response) => response.writeHead(500).end(),
    requests: 0,
    timers: new Set(),
    reset() {
      for (const timer of cdn.timers) clearInterval(timer);
      cdn.timers.clear();
      for (const socket of sockets) socket.destroy();
      cdn.requests = 0;
    },
    async stop() {
      cdn.reset();
      await new Promise((resolve) => server.close(resolve));
    },
  };
  return cdn;
}

/** A CdnServer for the tests of one file: started once, reset around each test, stopped at the end. */
export function useCdnServer(): () => CdnServer {
  let cdn: CdnServer | undefined;
  beforeAll(async () => {
    cdn = await startCdnServer();
  });
  afterAll(() => cdn?.stop());
  beforeEach(() => cdn?.reset());
  afterEach(() => cdn?.reset());
  return () => {
    if (!cdn) throw new Error('useCdnServer: the server is only there inside tests');
    return cdn;
  };
}
