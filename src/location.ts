/**
 * A scheme of two letters or more: `http:`, `file:`, ffmpeg's `pipe:`, a ref's `qq:` or `local:`. RFC 3986
 * allows one letter, but no such scheme is in use and `C:` is a Windows drive, so `C:\x.mp3` is a file.
 */
const URI_SCHEME = /^[a-z][a-z0-9+.-]+:/i;

/** Whether a song location (config, playlist file, transcoder input) is a path on this host, not a URL or a ref. */
export function isFileLocation(location: string): boolean {
  return !URI_SCHEME.test(location);
}
