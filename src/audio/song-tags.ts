import type { DeclaredLength } from './source-padding.js';

/** What a file's tags say about the song; a tag that is absent or blank is left out. */
export interface SongTags {
  readonly title?: string;
  readonly artist?: string;
  readonly album?: string;
  readonly durationMs?: number;
  /**
   * AAC in MP4 only: the length the container declares, which the transcode needs for its gapless trim
   * (source-padding.ts). Read with the tags (from the `moov`, or in the same ffprobe), so a song costs one read.
   */
  readonly declaredLength?: DeclaredLength;
}
