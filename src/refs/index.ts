/**
 * Song and playlist refs (`qq:<songmid>`, `netease:<id>`, `local:<path>`, `<provider>:playlist:<id>`): the one
 * grammar every part of relaycast reads them with. Imports nothing but the error base and
 * the control-character rule, so any layer may use it.
 */
export {
  parseRef,
  parseSongRef,
  parsePlaylistRef,
  formatRef,
  isSongRef,
  isPlaylistRef,
  hasProviderPrefix,
  isQqSongmid,
  PROVIDER_NAMES,
  type Ref,
  type SongRef,
  type PlaylistRef,
} from './ref.js';
export { libraryPathProblem, LOCAL_AUDIO_EXTENSIONS } from './library-path.js';
export { RefSyntaxError } from './ref-syntax-error.js';
