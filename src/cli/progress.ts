/** Where a bar is drawn: stderr, or a stream a test gives. */
export type ProgressStream = NodeJS.WritableStream & { readonly isTTY?: boolean };

/** Progress of long work: `done` of `total`, with what was done last (a song's title, say). */
export interface Progress {
  update(done: number, total: number, label?: string): void;
  stop(): void;
}

export const NO_PROGRESS: Progress = { update() {}, stop() {} };

/**
 * A bar (`title [████░░░░] 3/8 label`) for a person at a terminal. On anything else (a pipe, CI, a file)
 * nothing is written, whatever the work reports, and cli-progress is not even loaded.
 */
export async function progressBar(title: string, stream: ProgressStream = process.stderr): Promise<Progress> {
  if (!stream.isTTY) return NO_PROGRESS;
  const { SingleBar } = await import('cli-progress');
  const bar = new SingleBar({ format: `${title} [{bar}] {value}/{total}{label}`, stream, hideCursor: true });
  let started = false;
  return {
    update(done, total, label) {
      const payload = { label: label ? ` ${label}` : '' };
      if (!started) {
        bar.start(total, done, payload);
        started = true;
      } else {
        bar.setTotal(total);
        bar.update(done, payload);
      }
    },
    stop() {
      if (started) bar.stop();
    },
  };
}
