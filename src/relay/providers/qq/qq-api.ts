import type { QqConfig } from '../../config.js';
import type { AudioSource, Parsed } from '../provider.js';
import type { QqSonglist } from './songlist.js';
import type { QqTrack } from './track.js';

/** The three calls the QQ provider needs, whichever server answers them (QQ itself or a wrapper relay). */
export interface QqApi {
  songDetail(songmid: string, deadlineAt: number): Promise<Parsed<QqTrack | undefined>>;
  audio(songmid: string, mediaMid: string, deadlineAt: number): Promise<Parsed<AudioSource>>;
  /** May return the whole list or just the page asked for; `firstIndex` tells which. */
  songlist(id: string, page: { offset: number; limit: number }, deadlineAt: number): Promise<Parsed<QqSonglist | undefined>>;
}

/** Origins the configured QQ API reaches: the upstream fetch's allow-list. */
export function qqApiOrigins(config: QqConfig): string[] {
  const urls = config.api === 'qqmusicapi' && config.qqMusicApiUrl ? [config.qqMusicApiUrl] : [config.musicuUrl, config.songlistUrl];
  return urls.map((url) => new URL(url).origin);
}
