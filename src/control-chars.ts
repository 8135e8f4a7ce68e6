// C0 controls, DEL and C1 controls: they corrupt terminals, M3U lines, log lines and HTTP headers.
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]+/g;

export function hasControlChars(text: string): boolean {
  return text.search(CONTROL_CHARS) !== -1;
}

/** The text with each run of control characters replaced by one space: a CRLF leaves one gap, not two. */
export function withoutControlChars(text: string): string {
  return text.replace(CONTROL_CHARS, ' ');
}
