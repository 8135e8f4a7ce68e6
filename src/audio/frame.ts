/** One whole MPEG audio frame, the unit everything downstream of the transcoder works in. */
export interface Mp3Frame {
  /** The frame's bytes: header, side info and main data. */
  readonly bytes: Buffer;
  /** Samples per channel the frame decodes to. */
  readonly samples: number;
}
