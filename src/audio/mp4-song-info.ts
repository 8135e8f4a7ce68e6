import { open } from 'node:fs/promises';
import { childBoxes, findBox, readMoov } from './mp4-boxes.js';
import type { SongTags } from './song-tags.js';

/**
 * Tags, duration and declared length of an MP4/M4A song, read from its `moov` box in this process. Each
 * ffprobe this replaces costs ~0.1 CPU-s and ~56 MB RSS (measured on the cold path, mostly the dynamic
 * linking of ffmpeg's ~215 libraries): a worker reads every downloaded m4a once, for its gapless trim.
 *
 * It answers only where its answer is what ffprobe would print, and undefined otherwise, so the caller
 * asks ffprobe: not an MP4, no whole `moov` (a cut download), no audio track, no movie duration (a
 * fragmented file), or AAC whose decoded rate ffmpeg may double (HE-AAC's SBR, or AAC-LC at 24 kHz or less,
 * which may carry SBR implicitly): the declared length is counted in decoded samples.
 */
export async function readMp4SongInfo(path: string): Promise<SongTags | undefined> {
  const handle = await open(path, 'r').catch(() => undefined);
  if (!handle) return undefined;
  try {
    const moov = await readMoov(handle);
    return moov && songInfo(moov);
  } finally {
    await handle.close();
  }
}

/** MPEG-4 Audio (0x40) and MPEG-2 AAC Main/LC/SSR (0x66-0x68): what ffmpeg names `aac`. */
const AAC_OBJECT_TYPE_INDICATIONS = new Set([0x40, 0x66, 0x67, 0x68]);
const AAC_LC_AUDIO_OBJECT_TYPE = 2;
/** Implicit SBR doubles a core rate up to 24 kHz; above it the decoded rate is the declared one. */
const MAX_IMPLICIT_SBR_RATE = 24_000;
const SAMPLING_FREQUENCIES = [96000, 88200, 64000, 48000, 44100, 32000, 24000, 22050, 16000, 12000, 11025, 8000, 7350];
/** ilst items as ffmpeg names them; the artist falls back to the album artist, as probeTags does with ffprobe's names. */
const ILST_TAGS = { title: '©nam', artist: '©ART', albumArtist: 'aART', album: '©alb' } as const;
const ILST_UTF8 = 1;

function songInfo(moov: Buffer): SongTags | undefined {
  const movie = timing(findBox(moov, ['mvhd'])?.payload);
  const track = [...childBoxes(moov)].find((box) => box.type === 'trak' && handlerType(box.payload) === 'soun');
  if (!movie || movie.duration === 0 || !track || !onlyIlstTags(moov)) return undefined;
  const media = timing(findBox(track.payload, ['mdia', 'mdhd'])?.payload);
  const entry = firstSampleEntry(findBox(track.payload, ['mdia', 'minf', 'stbl', 'stsd'])?.payload);
  if (!media || !entry) return undefined;

  let declaredLength: SongTags['declaredLength'];
  if (entry.type === 'mp4a' && AAC_OBJECT_TYPE_INDICATIONS.has(entry.objectTypeIndication ?? -1)) {
    const config = entry.audioConfig;
    if (!config || config.audioObjectType !== AAC_LC_AUDIO_OBJECT_TYPE || config.sampleRate !== media.timescale || config.sampleRate <= MAX_IMPLICIT_SBR_RATE) return undefined;
    declaredLength = editListLength(findBox(track.payload, ['edts', 'elst'])?.payload, movie.timescale, media.timescale);
  }
  const tags = ilstTags(moov);
  const artist = tags.get(ILST_TAGS.artist) ?? tags.get(ILST_TAGS.albumArtist);
  const title = tags.get(ILST_TAGS.title);
  const album = tags.get(ILST_TAGS.album);
  return {
    ...(title ? { title } : {}),
    ...(artist ? { artist } : {}),
    ...(album ? { album } : {}),
    durationMs: Math.round((movie.duration * 1000) / movie.timescale),
    ...(declaredLength ? { declaredLength } : {}),
  };
}

/** Timescale and duration of an `mvhd` or `mdhd` payload (both start alike). */
function timing(payload: Buffer | undefined): { timescale: number; duration: number } | undefined {
  if (!payload || payload.length < 4) return undefined;
  const wide = payload[0] === 1;
  if (payload.length < (wide ? 32 : 20)) return undefined;
  const timescale = payload.readUInt32BE(wide ? 20 : 12);
  const duration = wide ? Number(payload.readBigUInt64BE(24)) : payload.readUInt32BE(16);
  return timescale > 0 ? { timescale, duration } : undefined;
}

function handlerType(trak: Buffer): string | undefined {
  const hdlr = findBox(trak, ['mdia', 'hdlr'])?.payload;
  return hdlr && hdlr.length >= 12 ? hdlr.toString('latin1', 8, 12) : undefined;
}

interface SampleEntry {
  readonly type: string;
  readonly objectTypeIndication?: number;
  readonly audioConfig?: { audioObjectType: number; sampleRate: number };
}

/** The first sample entry of an `stsd`, with its `esds` decoder configuration when it is `mp4a`. */
function firstSampleEntry(stsd: Buffer | undefined): SampleEntry | undefined {
  if (!stsd || stsd.length < 8) return undefined;
  const entry = childBoxes(stsd.subarray(8)).next().value;
  if (!entry) return undefined;
  if (entry.type !== 'mp4a') return { type: entry.type };
  // SampleEntry (8 bytes) + AudioSampleEntry (20); QuickTime's sound description versions 1 and 2 add 16 or 36.
  const version = entry.payload.length >= 10 ? entry.payload.readUInt16BE(8) : -1;
  const childrenAt = version === 0 ? 28 : version === 1 ? 44 : version === 2 ? 64 : -1;
  if (childrenAt < 0 || entry.payload.length < childrenAt) return undefined;
  const esds = [...childBoxes(entry.payload.subarray(childrenAt))].find((box) => box.type === 'esds');
  return { type: entry.type, ...(esds ? decoderConfig(esds.payload) : {}) };
}

/** OTI and AudioSpecificConfig from an `esds` payload (ISO 14496-1 descriptors), as far as they parse. */
function decoderConfig(esds: Buffer): Pick<SampleEntry, 'objectTypeIndication' | 'audioConfig'> {
  const es = descriptor(esds, 4, 0x03);
  if (!es || es.end - es.start < 3) return {};
  const flags = esds[es.start + 2]!;
  let offset = es.start + 3 + (flags & 0x80 ? 2 : 0) + (flags & 0x20 ? 2 : 0);
  if (flags & 0x40) offset += 1 + (esds[offset] ?? 0);
  const config = descriptor(esds, offset, 0x04);
  if (!config || config.end - config.start < 13) return {};
  const objectTypeIndication = esds[config.start]!;
  const specific = descriptor(esds, config.start + 13, 0x05);
  const audioConfig = specific && audioSpecificConfig(esds.subarray(specific.start, specific.end));
  return { objectTypeIndication, ...(audioConfig ? { audioConfig } : {}) };
}

/** The descriptor with `tag` at `offset`: where its body starts and ends. */
function descriptor(bytes: Buffer, offset: number, tag: number): { start: number; end: number } | undefined {
  if (bytes[offset] !== tag) return undefined;
  let length = 0;
  let at = offset + 1;
  for (let count = 0; count < 4; count += 1) {
    const byte = bytes[at++];
    if (byte === undefined) return undefined;
    length = (length << 7) | (byte & 0x7f);
    if (!(byte & 0x80)) return at + length <= bytes.length ? { start: at, end: at + length } : undefined;
  }
  return undefined;
}

/** Audio object type and sampling rate of an AudioSpecificConfig (ISO 14496-3 1.6.2.1). */
function audioSpecificConfig(bytes: Buffer): { audioObjectType: number; sampleRate: number } | undefined {
  if (bytes.length < 2) return undefined;
  const bits = bytes.readUInt16BE(0);
  const audioObjectType = bits >> 11;
  const frequencyIndex = (bits >> 7) & 0x0f;
  const sampleRate = SAMPLING_FREQUENCIES[frequencyIndex];
  // Object type 31 escapes to a wider field and index 15 to an explicit rate: neither is AAC-LC as muxers write it.
  return audioObjectType === 31 || sampleRate === undefined ? undefined : { audioObjectType, sampleRate };
}

/**
 * Samples of the one edit of an `elst`, in the media's timescale, as ffmpeg's demuxer counts its
 * `duration_ts`; undefined without one plain edit (no edit list: nothing says where the song ends).
 */
function editListLength(elst: Buffer | undefined, movieTimescale: number, mediaTimescale: number): SongTags['declaredLength'] {
  if (!elst || elst.length < 8) return undefined;
  const wide = elst[0] === 1;
  const entryBytes = wide ? 20 : 12;
  if (elst.readUInt32BE(4) !== 1 || elst.length < 8 + entryBytes) return undefined;
  const segmentDuration = wide ? Number(elst.readBigUInt64BE(8)) : elst.readUInt32BE(8);
  const mediaTime = wide ? Number(elst.readBigInt64BE(16)) : elst.readInt32BE(12);
  if (segmentDuration <= 0 || mediaTime < 0) return undefined;
  const samples = Math.round((segmentDuration * mediaTimescale) / movieTimescale);
  return { samples, sampleRate: mediaTimescale };
}

/** Boxes that may sit in `udta` beside `meta` without carrying tags. */
const UDTA_PADDING = new Set(['meta', 'free', 'skip']);

/**
 * Whether every tag of the file is in `moov/udta/meta/ilst`, where iTunes and ffmpeg's mp4/ipod muxers put
 * them. QuickTime and 3GP files keep text atoms in `udta` itself (`©nam`, `titl`), and some files a `meta`
 * in `moov`: ffprobe reads those, this reader does not.
 */
function onlyIlstTags(moov: Buffer): boolean {
  if (findBox(moov, ['meta'])) return false;
  const udta = findBox(moov, ['udta'])?.payload;
  return !udta || [...childBoxes(udta)].every((box) => UDTA_PADDING.has(box.type));
}

/** Text items of `moov/udta/meta/ilst` by their four-character names (UTF-8 `data` only). */
function ilstTags(moov: Buffer): Map<string, string> {
  const tags = new Map<string, string>();
  const meta = findBox(moov, ['udta', 'meta'])?.payload;
  if (!meta) return tags;
  // ISO's `meta` is a full box (4 bytes of version and flags before its children); QuickTime's is not.
  const children = meta.length >= 8 && meta.toString('latin1', 4, 8) !== 'hdlr' ? meta.subarray(4) : meta;
  const ilst = findBox(children, ['ilst'])?.payload;
  for (const item of ilst ? childBoxes(ilst) : []) {
    const data = findBox(item.payload, ['data'])?.payload;
    if (!data || data.length < 8 || data.readUInt32BE(0) !== ILST_UTF8) continue;
    const text = data.toString('utf8', 8).trim();
    if (text && !tags.has(item.type)) tags.set(item.type, text);
  }
  return tags;
}
