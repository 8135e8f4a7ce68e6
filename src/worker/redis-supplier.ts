import { describeError } from '../errors.js';
import type { Logger } from '../log/index.js';
import type { SongSupplier } from '../station/programme.js';
import type { Song } from '../station/song.js';
import { MAX_PEEK, type StorePlayback } from '../store/index.js';

/**
 * Songs that went on air lately, remembered to be replayed while Redis cannot be asked what comes next:
 * their metadata and audio are most likely in the worker's caches, so the station plays on through an
 * outage instead of falling silent.
 */
export const OUTAGE_REPLAY_SONGS = 32;

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
  private readonly recent: Song[] = [];
  private replayed = 0;
  private redisAway = false;

  constructor(
    private readonly playback: Pick<StorePlayback, 'peekNext' | 'takeNext'>,
    private readonly station: string,
    private readonly logger: Logger,
  ) {}

  async nextSong(): Promise<Song | null> {
    await this.commits;
    const ahead = this.handed.length + 1;
    if (ahead > MAX_PEEK) return null;
    let next;
    try {
      next = (await this.playback.peekNext(this.station, ahead))[ahead - 1];
    } catch (error) {
      return this.replayDuringOutage(error);
    }
    if (this.redisAway) this.logger.info('Redis answers again: back to the station\'s own list');
    this.redisAway = false;
    if (!next) return null;
    const song: Song = { ref: next.ref, title: next.ref, artist: '', origin: { source: next.source, position: next.position } };
    this.handed.push({ song, consumed: false });
    return song;
  }

  consumed(song: Song): void {
    const entry = this.handed.find((handed) => handed.song === song);
    if (!entry) return;
    entry.consumed = true;
    this.recent.push(song);
    if (this.recent.length > OUTAGE_REPLAY_SONGS) this.recent.shift();
    this.commits = this.commits.then(() => this.commitInOrder());
  }

  forget(songs: readonly Song[]): void {
    for (const song of songs) {
      const index = this.handed.findIndex((handed) => handed.song === song && !handed.consumed);
      if (index >= 0) this.handed.splice(index, 1);
    }
  }

  /** A recently played song again, or the outage's error when none has played yet. */
  private replayDuringOutage(error: unknown): Song {
    const song = this.recent[this.replayed % Math.max(this.recent.length, 1)];
    if (!song) throw error;
    if (!this.redisAway) this.logger.warn({ err: describeError(error), songs: this.recent.length }, 'Redis unreachable: replaying recently played songs until it is back');
    this.redisAway = true;
    this.replayed += 1;
    // A copy without its list position: it is not handed out from Redis, so nothing is taken for it.
    return { ref: song.ref, title: song.title, artist: song.artist };
  }

  private async commitInOrder(): Promise<void> {
    while (this.handed[0]?.consumed) {
      const { song } = this.handed[0];
      try {
        const taken = await this.playback.takeNext(this.station);
        if (taken && taken.ref !== song.ref) this.logger.debug({ song: song.ref, taken: taken.ref }, 'the list changed while the song was prepared');
      } catch (error) {
        this.logger.warn({ song: song.ref, err: describeError(error) }, 'could not record the song as played');
      }
      this.handed.shift();
    }
  }
}
