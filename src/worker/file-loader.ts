import { transcode, type StreamFormat } from '../audio/index.js';
import { RelaycastError } from '../errors.js';
import type { Logger } from '../log/index.js';
import type { FrameLoader, LoadedSong } from '../station/programme.js';
import type { Song } from '../station/song.js';

/** Plays songs whose audio location is known (a file or an http(s) URL) by transcoding it. */
export function fileLoader(format: StreamFormat, logger: Logger): FrameLoader {
  return {
    async load(song: Song): Promise<LoadedSong> {
      if (!song.input) {
        throw new RelaycastError('ERR_NO_RESOLVER', `cannot play ${song.ref}: song refs need a relay or a music folder (set RELAY_URL or MUSIC_DIR)`);
      }
      return { song, frames: transcode({ input: song.input, format, logger: logger.child({ song: song.ref }) }) };
    },
  };
}
