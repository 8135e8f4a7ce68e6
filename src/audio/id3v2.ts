/** An ID3v2 header: "ID3", version and revision (never 0xFF), flags, and a 28-bit syncsafe size. */
const ID3V2_HEADER_BYTES = 10;
const FOOTER_PRESENT = 0x10;

/**
 * Whole length of the ID3v2 tag starting at `offset` (header, body and footer), 'more' when the bytes there
 * could start one but its header is not all in yet, undefined when no tag starts there.
 */
export function id3v2TagAt(bytes: Uint8Array, offset: number): number | 'more' | undefined {
  const available = Math.min(bytes.length - offset, ID3V2_HEADER_BYTES);
  const signature = [0x49, 0x44, 0x33]; // "ID3"
  for (let index = 0; index < Math.min(available, 3); index += 1) if (bytes[offset + index] !== signature[index]) return undefined;
  if (available < ID3V2_HEADER_BYTES) return 'more';
  if (bytes[offset + 3] === 0xff || bytes[offset + 4] === 0xff) return undefined;
  let size = 0;
  for (let index = 6; index < ID3V2_HEADER_BYTES; index += 1) {
    const byte = bytes[offset + index]!;
    if (byte & 0x80) return undefined;
    size = size * 128 + byte;
  }
  return ID3V2_HEADER_BYTES + size + (bytes[offset + 5]! & FOOTER_PRESENT ? ID3V2_HEADER_BYTES : 0);
}
