import type { StreamFormat } from '../audio/index.js';
import type { IceInfo } from '../icecast/index.js';

/** What a station needs to know about itself, whether it comes from the start config or from Redis. */
export interface StationIdentity {
  readonly name: string;
  /** Follows the one mount rule (src/station-rules) wherever the station was defined. */
  readonly mount: string;
  readonly format: StreamFormat;
  readonly ice: IceInfo;
  /** The `charset` of title updates, 'omit' to send none (see IcecastTarget.metadataCharset). */
  readonly metadataCharset: string;
}
