// C0 controls, DEL and C1 controls: they corrupt terminals, M3U lines, log lines and HTTP headers.
const CONTROL_CHARS = /[\u0000-\u001f\u007f-\u009f]/g;

export function hasControlChars(text: string): boolean {
  return text.search(CONTROL_CHARS) !== -1;
}

/** The text with each control character replaced by a space. */
export function withoutControlChars(text: string): string {
  return text.replace(CONTROL_CHARS, ' ');
}
