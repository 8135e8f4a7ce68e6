import { randomBytes } from 'node:crypto';
import { freePort } from './ports.js';
import { spawnWorker, type WorkerProcess } from './worker-process.js';

export interface RelayProcess {
  readonly url: string;
  readonly token: string;
  /** The running `relaycast relay` process (replaced by start()). */
  process(): WorkerProcess;
  /** Song lookups the relay answered so far, over every start, by ref. */
  songRequests(): Map<string, number>;
  kill(): Promise<void>;
  /** Starts it again on the same port. */
  start(): Promise<void>;
  stop(): Promise<void>;
}

export interface StartRelayOptions {
  /** Port to listen on (default: a free one). */
  port?: number;
  /** Where workers reach it (RELAY_PUBLIC_URL), when something stands in between. */
  publicUrl?: string;
  /** More environment for the relay (METRICS_PORT, …). */
  env?: Record<string, string>;
}

/** Runs the built `relaycast relay` with a local music folder, as an operator would, on a loopback port. */
export async function startRelay(musicDir: string, options: StartRelayOptions = {}): Promise<RelayProcess> {
  const port = options.port ?? (await freePort());
  const token = randomBytes(16).toString('hex');
  const url = `http://127.0.0.1:${port}`;
  const env: Record<string, string> = { RELAY_TOKEN: token, RELAY_HOST: '127.0.0.1', RELAY_PORT: String(port), MUSIC_DIR: musicDir, LOG_LEVEL: 'debug' };
  if (options.publicUrl) env.RELAY_PUBLIC_URL = options.publicUrl;
  Object.assign(env, options.env);
  const finished: WorkerProcess[] = [];
  let current: WorkerProcess | undefined;

  const start = async () => {
    const relay = spawnWorker(['relay'], env);
    current = relay;
    await relay.waitForEvent((event) => event.msg === 'relay listening', 10_000);
  };
  const kill = async () => {
    if (!current) return;
    finished.push(current);
    const running = current;
    current = undefined;
    await running.stop('SIGKILL');
  };
  await start();
  return {
    url,
    token,
    process: () => current!,
    songRequests() {
      const counts = new Map<string, number>();
      for (const relay of [...finished, ...(current ? [current] : [])]) {
        for (const event of relay.events) {
          if (event.event !== 'relay.request' || event.route !== 'songs' || typeof event.ref !== 'string') continue;
          counts.set(event.ref, (counts.get(event.ref) ?? 0) + 1);
        }
      }
      return counts;
    },
    kill,
    start,
    stop: kill,
  };
}
