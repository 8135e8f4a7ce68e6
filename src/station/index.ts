export { Station, type StationEvents, type StationOptions, type StationStatus, type IcecastServer } from './station.js';
export type { StationIdentity } from './identity.js';
export { Programme, type SongSupplier, type FrameLoader, type TrackEndReason } from './programme.js';
export { Pacer, DEFAULT_TICK_MS } from './pacer.js';
export { PacingClock } from './pacing-clock.js';
export { ListSupplier, type ListEntry, type TagReader } from './list-supplier.js';
export type { Song } from './song.js';
export { CROSSFADE_OUTCOMES, type CrossfadeOutcome } from './crossfader.js';
