import { createServer, request, type IncomingMessage, type Server, type ServerResponse } from 'node:http';

export interface FaultRules {
  /** Milliseconds to hold a request before forwarding it. */
  delayMs?: (path: string) => number;
  /** Answer this status instead of forwarding (e.g. 403 for an expired-looking audio URL). */
  refuseWith?: (path: string) => number | undefined;
  /** Bytes per second of response bodies, e.g. a CDN delivering 1 MB/s. */
  bytesPerSecond?: (path: string) => number | undefined;
  /** Sees each JSON answer passing through (e.g. to learn the audio URL the relay handed out). */
  observeJson?: (path: string, body: unknown) => void;
}

export interface FaultProxy {
  readonly url: string;
  readonly port: number;
  /** Paths requested so far, in order. */
  readonly paths: string[];
  close(): Promise<void>;
}

/**
 * An HTTP hop between two real components on loopback that slows, throttles or refuses requests, to put a
 * slow relay or a slow CDN between the worker and the real relay. Only for tests.
 */
export async function startFaultProxy(targetPort: number, rules: FaultRules = {}): Promise<FaultProxy> {
  const paths: string[] = [];
  const timers = new Set<NodeJS.Timeout>();
  const server: Server = createServer((req, res) => {
    const path = req.url ?? '/';
    paths.push(path);
    const timer = setTimeout(() => {
      timers.delete(timer);
      forward(req, res, path, targetPort, rules);
    }, rules.delayMs?.(path) ?? 0);
    timers.add(timer);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const port = (server.address() as { port: number }).port;
  return {
    url: `http://127.0.0.1:${port}`,
    port,
    paths,
    close: () =>
      new Promise((resolve) => {
        for (const timer of timers) clearTimeout(timer);
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function forward(req: IncomingMessage, res: ServerResponse, path: string, targetPort: number, rules: FaultRules): void {
  const refused = rules.refuseWith?.(path);
  if (refused !== undefined) {
    res.writeHead(refused, { 'content-type': 'text/plain' }).end('refused by the test proxy');
    return;
  }
  const upstream = request({ host: '127.0.0.1', port: targetPort, path, method: req.method, headers: req.headers }, (answer) => {
    res.writeHead(answer.statusCode ?? 502, answer.headers);
    if (rules.observeJson && String(answer.headers['content-type']).includes('json')) {
      observe(answer, res, (body) => rules.observeJson!(path, body));
      return;
    }
    const rate = rules.bytesPerSecond?.(path);
    if (!rate) answer.pipe(res);
    else throttle(answer, res, rate);
  });
  upstream.on('error', () => res.destroy());
  req.pipe(upstream);
}

function observe(answer: IncomingMessage, res: ServerResponse, onBody: (body: unknown) => void): void {
  const chunks: Buffer[] = [];
  answer.on('data', (chunk: Buffer) => chunks.push(chunk));
  answer.on('end', () => {
    const text = Buffer.concat(chunks);
    try {
      onBody(JSON.parse(text.toString('utf8')));
    } catch {
      // Not JSON after all: pass it on untouched.
    }
    res.end(text);
  });
}

/** Re-sends the body in 50 ms slices of `rate / 20` bytes. */
function throttle(answer: IncomingMessage, res: ServerResponse, rate: number): void {
  const slice = Math.max(1, Math.floor(rate / 20));
  let pending = Buffer.alloc(0);
  let ended = false;
  answer.on('data', (chunk: Buffer) => {
    pending = Buffer.concat([pending, chunk]);
    if (pending.length > slice * 40) answer.pause();
  });
  answer.on('end', () => (ended = true));
  const timer = setInterval(() => {
    const out = pending.subarray(0, slice);
    pending = pending.subarray(out.length);
    if (out.length > 0) res.write(out);
    if (pending.length < slice * 20) answer.resume();
    if (ended && pending.length === 0) {
      clearInterval(timer);
      res.end();
    }
  }, 50);
  res.on('close', () => clearInterval(timer));
}
