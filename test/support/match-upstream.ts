import type { RelayConfigInput } from '../../src/relay/config.js';
import { RECORDED_NETEASE_SONG, readRecorded, recordedReply, startRecordedUpstream, type RecordedUpstream, type SeenRequest, type UpstreamReply } from './upstream.js';

/*
 * A NetEase song refused for rights that QQ has: netease:29450091 (recorded detail: 小宝贝 by 夏天播放,
 * 192232 ms) is refused; QQ's search lists it among decoys. The search answers are constructed in the shape of
 * musicu.fcg's desktop search module (req_0.data.body.song.list[]; see test/fixtures/match-set/SOURCES.md);
 * detail and vkey answers are the recorded ones, the detail's songmid swapped for the candidate's.
 */
export const CANDIDATE_MID = '002wit7s1Tvdlg'; // the songmid of the recorded qq-vkey-playable.json
export const ASKED = RECORDED_NETEASE_SONG.ref;

export function qqSearchAnswer(list: { mid: string; title: string; singers: string[]; interval: number }[]): UpstreamReply {
  const songs = list.map((song) => ({
    mid: song.mid,
    name: song.title.replace(/\s*\(.*\)$/, ''),
    title: song.title,
    singer: song.singers.map((name) => ({ mid: '', name })),
    album: { mid: '003c616O2Zlswm', name: '' },
    interval: song.interval,
  }));
  return { body: JSON.stringify({ code: 0, ts: 1, req_0: { code: 0, data: { body: { song: { list: songs } }, meta: {} } } }) };
}

export const DECOYS = [
  { mid: '000decoyLive01', title: '小宝贝 (Live)', singers: ['夏天播放'], interval: 192 },
  { mid: '000decoyOther1', title: '小宝贝', singers: ['别的歌手'], interval: 192 },
  { mid: '000decoyLong01', title: '小宝贝', singers: ['夏天播放'], interval: 230 },
];

/** The musicu.fcg module a request asks for (its `data` query), or '' for none. */
export function musicuModule(request: SeenRequest): string {
  return (JSON.parse(request.query.get('data') ?? '{}') as { req_0?: { module?: string } }).req_0?.module ?? '';
}

export interface MatchUpstream {
  readonly upstream: RecordedUpstream;
  /** The answers served now, by path (NetEase) or musicu module (QQ); reset() brings back the defaults. */
  replies: Record<string, UpstreamReply>;
  reset(): void;
  /** Relay provider settings for both services on this upstream. */
  providers(): Pick<RelayConfigInput, 'netease' | 'qq'>;
  close(): Promise<void>;
}

/** Recorded NetEase and QQ answers on loopback where ASKED is refused by NetEase and found on QQ among decoys. */
export async function startMatchUpstream(): Promise<MatchUpstream> {
  const songUrl = JSON.parse(await readRecorded('netease-song-url-null-404.json')) as { data: { id: number }[] };
  songUrl.data[0]!.id = 29450091;
  const detail = (await readRecorded('qq-song-detail.json')).replaceAll('004dFFPd4JNv8q', CANDIDATE_MID);
  const defaults: Record<string, UpstreamReply> = {
    '/netease/song/detail': await recordedReply('netease-song-detail.json'),
    '/netease/song/url/v1': { body: JSON.stringify(songUrl) },
    'music.pf_song_detail_svr': { body: detail },
    'vkey.GetVkeyServer': await recordedReply('qq-vkey-playable.json'),
    'music.search.SearchCgiService': qqSearchAnswer([...DECOYS, { mid: CANDIDATE_MID, title: '小宝贝', singers: ['夏天播放'], interval: 192 }]),
  };
  const state: MatchUpstream = {
    upstream: await startRecordedUpstream((seen) => state.replies[seen.path.endsWith('musicu.fcg') ? musicuModule(seen) : seen.path]),
    replies: { ...defaults },
    reset() {
      state.replies = { ...defaults };
      state.upstream.requests.length = 0;
    },
    providers: () => ({
      netease: { baseUrl: `${state.upstream.url}/netease/` },
      qq: { musicuUrl: `${state.upstream.url}/cgi-bin/musicu.fcg`, songlistUrl: `${state.upstream.url}/songlist.fcg`, attempts: 1 },
    }),
    close: () => state.upstream.close(),
  };
  return state;
}
