/** Exit codes of every `relaycast` command (documented in the README). */
export const EXIT = Object.freeze({
  ok: 0,
  /** Something failed that none of the codes below describes. */
  failure: 1,
  /** Bad arguments, bad input or bad configuration: nothing was changed. */
  usage: 2,
  /** The named station, playlist, song or position does not exist. */
  notFound: 3,
  /** Redis, the relay or Icecast could not be reached. */
  unavailable: 4,
});

export type ExitCode = (typeof EXIT)[keyof typeof EXIT];
