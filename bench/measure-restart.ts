import { ICECAST_SOURCE_DEFAULTS } from '../src/icecast/index.js';
import { atMost, info, type Figure } from './figure.js';
import { benchIcecast, benchWorker, listenWhenUp, logTimeOnPerfClock, statusOnce, type BenchContext } from './harness.js';
import { pollUntil, sleep } from './scope.js';
import { max, median } from './stats.js';

const NAME = 'restart';
const MOUNT = '/restart.mp3';
const RESTARTS = 4;
/**
 * Streaming time before each restart. The source counts failures until it has streamed for
 * `healthyAfterMs` (30 s), and backs off from that count: restarts closer together than that measure a
 * flapping Icecast (delays grew 0.16 → 1.1 s over 5 restarts 4 s apart), not a restart. So every restart
 * after the first waits until the connection counts as healthy again.
 */
const STEADY_MS = ICECAST_SOURCE_DEFAULTS.timing.healthyAfterMs + 1_000;
const FIRST_STEADY_MS = 2_000;
const BACK_TIMEOUT_MS = 15_000;

/**
 * 7. Back on air after Icecast restarts: from the moment the new Icecast first answers HTTP (when
 * IcecastServer.restart() says it accepts again) to the moment a listener gets 200 for the mount.
 * Icecast is stopped with SIGTERM (it takes ~2 s to go), as an operator's restart would.
 */
export async function measureRestart(context: BenchContext): Promise<Figure[]> {
  const { scope } = context;
  const song = await context.tone({ seconds: 150, frequency: 440, title: 'Pacing' });
  const icecast = await benchIcecast(scope);
  const worker = await benchWorker(scope, icecast, [{ name: 'restart', mount: MOUNT, songs: [song] }]);
  const url = `${icecast.url}${MOUNT}`;
  (await listenWhenUp(scope, url, 10_000)).listener.close();

  const backMs: number[] = [];
  const statusMs: number[] = [];
  const reconnectedMs: number[] = [];
  for (let restart = 1; restart <= RESTARTS; restart += 1) {
    const steady = restart === 1 ? FIRST_STEADY_MS : STEADY_MS;
    context.say(`${NAME}: Icecast restart ${restart}/${RESTARTS} in ${steady / 1000} s`);
    await sleep(steady, scope.signal);
    const acceptingAt = await icecast.restart();
    const { listener, at } = await listenWhenUp(scope, url, BACK_TIMEOUT_MS);
    listener.close();
    backMs.push(at - acceptingAt);
    const listedAt = await pollUntil(async () => ((await statusOnce(icecast))?.sources.some((source) => source.mount === MOUNT) ? performance.now() : undefined), {
      intervalMs: 10,
      timeoutMs: BACK_TIMEOUT_MS,
      signal: scope.signal,
      what: `${MOUNT} in /status-json.xsl`,
    });
    statusMs.push(listedAt - acceptingAt);
    const again = worker.events.filter((event) => event.msg === 'streaming to Icecast again')[restart - 1];
    const loggedAt = logTimeOnPerfClock(again?.time);
    if (loggedAt !== undefined) reconnectedMs.push(loggedAt - acceptingAt);
  }

  const list = (values: number[]) => `runs: ${values.map((ms) => (ms / 1000).toFixed(3)).join(', ')} s`;
  const seconds = (value: number | undefined) => (value === undefined ? undefined : value / 1000);
  const spacing = `restarts ${STEADY_MS / 1000} s apart (the first ${FIRST_STEADY_MS / 1000} s after start)`;
  return [
    atMost(NAME, { name: `Icecast accepting again → a listener gets the mount (median of ${RESTARTS})`, value: seconds(median(backMs)), unit: 's', digits: 3, note: `${list(backMs)}; ${spacing}` }, 0.5),
    atMost(NAME, { name: `Icecast accepting again → a listener gets the mount (worst of ${RESTARTS})`, value: seconds(max(backMs)), unit: 's', digits: 3 }, 0.5),
    info(NAME, { name: "  Icecast accepting again → worker logs 'streaming to Icecast again' (median)", value: seconds(median(reconnectedMs)), unit: 's', digits: 3, note: list(reconnectedMs) }, 'Liquidsoap: 2.35 s'),
    info(NAME, { name: '  Icecast accepting again → /status-json.xsl lists the mount (median)', value: seconds(median(statusMs)), unit: 's', digits: 3, note: list(statusMs) }),
  ];
}
