import { atMost, info, within, type Figure } from './figure.js';
import { benchIcecast, benchWorker, mountsUp, waitForMounts, type BenchContext } from './harness.js';
import { watchProcess } from './sampler.js';
import { sleep } from './scope.js';
import { max } from './stats.js';

const NAME = 'twenty';
/** icecast.xml allows 32 sources. */
const STATIONS = 20;
const WINDOW_SECONDS = 60;
/** After every station is playing: the 20 first transcodes fill their buffers at full speed, then wait. */
const SETTLE_SECONDS = 5;
const SONG_SECONDS = 150;

/** 2 (twenty stations): one worker process with 20 stations on one Icecast, its own CPU and RSS over 60 s. */
export async function measureTwenty(context: BenchContext): Promise<Figure[]> {
  const { scope } = context;
  const song = await context.tone({ seconds: SONG_SECONDS, frequency: 440, title: 'Pacing' });
  const icecast = await benchIcecast(scope);
  const stations = Array.from({ length: STATIONS }, (_unused, index) => {
    const name = `twenty-${String(index + 1).padStart(2, '0')}`;
    return { name, mount: `/${name}.mp3`, songs: [song] };
  });
  const worker = await benchWorker(scope, icecast, stations);
  const mounts = stations.map((station) => station.mount);
  await waitForMounts(icecast, mounts, 30_000, scope.signal);
  await worker.waitForEvent(() => worker.events.filter((event) => event.msg === 'now playing').length >= STATIONS, 30_000);
  await sleep(SETTLE_SECONDS * 1000, scope.signal);

  context.say(`${NAME}: ${STATIONS} stations, ${WINDOW_SECONDS} s window`);
  const window = await watchProcess(worker.child.pid ?? -1, WINDOW_SECONDS, 1, scope.signal);
  const up = new Set(await mountsUp(icecast));
  const stillUp = mounts.filter((mount) => up.has(mount)).length;
  const rssValues = window.rss.map((sample) => sample.rssMb);
  return [
    atMost(NAME, { name: `${STATIONS} stations in one process: worker CPU, % of one core over 60 s`, value: window.cpu.selfPercent, unit: '%', digits: 2, note: 'worker node process only (/proc/<pid>/stat), ffmpeg children excluded; songs prepared ahead, no song change in the window' }, 10),
    info(NAME, { name: `${STATIONS} stations: their ffmpeg children, % of one core (not in the figure above)`, value: window.cpu.childrenPercent, unit: '%', digits: 2 }),
    info(NAME, { name: `${STATIONS} stations: worker RSS, max over 60 s`, value: max(rssValues), unit: 'MB', digits: 1, note: `first ${rssValues[0]?.toFixed(1)} MB, last ${rssValues.at(-1)?.toFixed(1)} MB, VmHWM ${window.peakRssMb?.toFixed(1)} MB` }),
    within(NAME, { name: `${STATIONS} stations: mounts with a source at the end`, value: stillUp, unit: `of ${STATIONS}`, digits: 0 }, STATIONS, 0, `${STATIONS} of ${STATIONS}`),
  ];
}
