import { describeError } from '../errors.js';
import type { Logger } from '../log/index.js';
import type { SongSupplier } from '../station/programme.js';
import type { Song } from '../station/song.js';
import { MAX_PEEK, type Store } from '../store/index.js';

interface Handed {
  song: Song;
  consumed: boolean;
}

/**
 * A stored station's songs: the queue first, then its playlist by play mode, as Redis decides. Songs are
 * only peeked at while they are prepared and taken (the queue popped, the playlist position moved) when
 * they are used up, in order; so a song prepared and then dropped by an edit is not lost, and a worker
 * restarted mid-song resumes with the next song rather than one it had only prepared.
 */
export class RedisSupplier implements SongSupplier {
  private readonly handed: Handed[] = [];
  private commits: Promise<void> = Promise.resolve();

  constructor(
    private readonly store: Pick<Store, 'peekNextSongs' | 'takeNextSong'>,
    private readonly station: string,
    private readonly logger: Logger,
  ) {}

  async nextSong(): Promise<Song | null> {
    await this.commits;
    const ahead = this.handed.length + 1;
    if (ahead > MAX_PEEK) return null;
    const next = (await this.store.peekNextSongs(this.station, ahead))[ahead - 1];
    if (!next) return null;
    const song: Song = { ref: next.ref, title: next.ref, artist: '', origin: { source: next.source, position: next.position } };
    this.handed.push({ song, consumed: false });
    return song;
  }

  consumed(song: Song): void {
    const entry = this.handed.find((handed) => handed.song === song);
    if (!entry) return;
    entry.consumed = true;
    this.commits = this.commits.then(() => this.commitInOrder());
  }

  forget(songs: readonly Song[]): void {
    for (const song of songs) {
      const index = this.handed.findIndex((handed) => handed.song === song && !handed.consumed);
      if (index >= 0) this.handed.splice(index, 1);
    }
  }

  private async commitInOrder(): Promise<void> {
    while (this.handed[0]?.consumed) {
      const { song } = this.handed[0];
      try {
        const taken = await this.store.takeNextSong(this.station);
        if (taken && taken.ref !== song.ref) this.logger.debug({ song: song.ref, taken: taken.ref }, 'the list changed while the song was prepared');
      } catch (error) {
        this.logger.warn({ song: song.ref, err: describeError(error) }, 'could not record the song as played');
      }
      this.handed.shift();
    }
  }
}
