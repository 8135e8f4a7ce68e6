/**
 * What an operator reads for each file-system error code that makes a folder unusable for writing. The
 * code stays the machine name of the condition (one warning line per code); the text says what to fix.
 */
const CONDITION_TEXT: Readonly<Record<string, string>> = {
  ENOSPC: 'the disk is full',
  EDQUOT: 'the disk quota is used up',
  EROFS: 'the file system is read-only',
  EACCES: 'no permission to write there',
  EPERM: 'no permission to write there',
  ENOTDIR: 'a file is in the way of the folder',
  EIO: 'the disk reports I/O errors',
};

/** The condition of a failed file-system call, as an errno code (ENOSPC, EROFS, …), found along the cause chain. */
export function diskCondition(error: unknown): string | undefined {
  let current: unknown = error;
  // A cause chain is a handful of wrappers deep; the bound only guards against a cycle.
  for (let depth = 0; current instanceof Error && depth < 4; depth += 1) {
    const code = (current as NodeJS.ErrnoException).code;
    if (typeof code === 'string' && /^E[A-Z]+$/.test(code)) return code;
    current = current.cause;
  }
  return undefined;
}

export function describeCondition(condition: string): string {
  return CONDITION_TEXT[condition] ?? `the file system refuses (${condition})`;
}
