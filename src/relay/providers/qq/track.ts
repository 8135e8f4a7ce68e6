import { z } from 'zod';
import type { SongInfo } from '../provider.js';

/** A QQ song's metadata plus the media mid its audio file is named after (may differ from the songmid). */
export interface QqTrack {
  song: SongInfo;
  mediaMid: string;
}

export const Singers = z.array(z.object({ name: z.string().nullish() })).nullish();

/** `track_info` of `music.pf_song_detail_svr` (direct, or wrapped by jsososo `/song`). */
export const TrackInfo = z.object({
  mid: z.string(),
  /** The work's name without its version ("Faded"). */
  name: z.string(),
  /** What y.qq.com displays, version included ("Faded (Restrung)", "凤凰于飞 (Live)"); older answers lack it. */
  title: z.string().nullish(),
  singer: Singers,
  album: z.object({ mid: z.string().nullish(), name: z.string().nullish() }).nullish(),
  /** Seconds. */
  interval: z.number().nullish(),
  file: z.object({ media_mid: z.string().nullish() }).nullish(),
});

/** An entry of a songlist (`cdlist[].songlist[]`, old format). */
export const SonglistItem = z.object({
  songmid: z.string(),
  // The displayed title, version suffix included ("We Are Young (Radio Edit)"): the counterpart of
  // track_info's `title`, so a song reads the same in a songlist and in its own lookup. `songorig` drops it.
  songname: z.string(),
  singer: Singers,
  albumname: z.string().nullish(),
  albummid: z.string().nullish(),
  /** Seconds. */
  interval: z.number().nullish(),
  strMediaMid: z.string().nullish(),
});

export function trackFromTrackInfo(info: z.infer<typeof TrackInfo>): QqTrack {
  return qqTrack({
    songmid: info.mid,
    title: info.title?.trim() || info.name,
    singers: info.singer,
    album: info.album?.name,
    albumMid: info.album?.mid,
    intervalSec: info.interval,
    mediaMid: info.file?.media_mid,
  });
}

export function trackFromSonglistItem(item: z.infer<typeof SonglistItem>): QqTrack {
  return qqTrack({
    songmid: item.songmid,
    title: item.songname,
    singers: item.singer,
    album: item.albumname,
    albumMid: item.albummid,
    intervalSec: item.interval,
    mediaMid: item.strMediaMid,
  });
}

/** Album art as y.qq.com shows it (300×300). */
export function qqCoverUrl(albumMid: string): string {
  return `https://y.gtimg.cn/music/photo_new/T002R300x300M000${albumMid}.jpg`;
}

/** What listeners see of a QQ song, from the fields every QQ answer has under one name or another. */
export interface QqSongFields {
  songmid: string;
  title: string;
  singers: z.infer<typeof Singers>;
  album: string | null | undefined;
  albumMid: string | null | undefined;
  intervalSec: number | null | undefined;
}

export function qqSongInfo(fields: QqSongFields): SongInfo {
  return {
    ref: `qq:${fields.songmid}`,
    title: fields.title,
    artists: (fields.singers ?? []).flatMap((singer) => (singer.name ? [singer.name] : [])),
    ...(fields.album ? { album: fields.album } : {}),
    ...(fields.intervalSec && fields.intervalSec > 0 ? { durationMs: fields.intervalSec * 1000 } : {}),
    ...(fields.albumMid ? { coverUrl: qqCoverUrl(fields.albumMid) } : {}),
  };
}

function qqTrack(fields: QqSongFields & { mediaMid: string | null | undefined }): QqTrack {
  return { song: qqSongInfo(fields), mediaMid: fields.mediaMid || fields.songmid };
}
