/** What the station needs to know to play one song and show it to listeners. */
export interface Song {
  /** Stable identity used in logs, caches and history: a ref such as `local:a.m4a` or `qq:<mid>`. */
  readonly ref: string;
  readonly title: string;
  readonly artist: string;
  readonly album?: string;
  /** Milliseconds, when known before playing. */
  readonly durationMs?: number;
  /** An http(s) image of the cover, when the song's music service has one (never for local files). */
  readonly coverUrl?: string;
  /** Where the audio is when known without asking a relay: a local file path or an http(s) URL. */
  readonly input?: string;
  /** Where a stored station's song came from, for now-playing and history. */
  readonly origin?: { readonly source: 'queue' | 'playlist'; readonly position: number };
}
