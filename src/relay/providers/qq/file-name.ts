import type { AudioFormat } from '../provider.js';

/**
 * QQ audio file names are quality prefix + media mid + extension (`C400000RMeN92LDUm0.m4a`).
 * The prefix fixes codec and bitrate; C400 (96k AAC) is the one most songs have without a VIP login.
 */
export const QQ_QUALITIES = {
  C200: { format: 'm4a', extension: 'm4a', bitrate: 48_000 },
  C400: { format: 'm4a', extension: 'm4a', bitrate: 96_000 },
  C600: { format: 'm4a', extension: 'm4a', bitrate: 192_000 },
  M500: { format: 'mp3', extension: 'mp3', bitrate: 128_000 },
  M800: { format: 'mp3', extension: 'mp3', bitrate: 320_000 },
  F000: { format: 'flac', extension: 'flac', bitrate: undefined },
} as const satisfies Record<string, { format: AudioFormat; extension: string; bitrate: number | undefined }>;

export type QqQuality = keyof typeof QQ_QUALITIES;

export function qqFileName(quality: QqQuality, mediaMid: string): string {
  return `${quality}${mediaMid}.${QQ_QUALITIES[quality].extension}`;
}

/** Format and bitrate from a file name or purl (`M500001uaxks4G5JL9.mp3?guid=…`); unknown prefixes say nothing. */
export function describeQqFile(fileNameOrPurl: string): { format: AudioFormat; bitrate?: number } {
  const name = fileNameOrPurl.split('?')[0] ?? '';
  const prefix = name.slice(0, 4);
  if (prefix in QQ_QUALITIES) {
    const quality = QQ_QUALITIES[prefix as QqQuality];
    return quality.bitrate === undefined ? { format: quality.format } : { format: quality.format, bitrate: quality.bitrate };
  }
  const extension = /\.([0-9A-Za-z]+)$/.exec(name)?.[1]?.toLowerCase();
  return { format: extension === 'mp3' || extension === 'm4a' || extension === 'flac' ? extension : 'unknown' };
}
