import { describe, expect, it } from 'vitest';
import { AudioOptionError } from '../../../src/audio/index.js';
import { mp3OutputOptions, songInput, transcodeCommand } from '../../../src/audio/commands.js';

const FORMAT = { bitrateKbps: 64, sampleRate: 48000, channels: 1 } as const;

describe('ffmpeg command lines', () => {
  it('encode self-contained CBR frames in exactly the station format, without tags or an Info frame', () => {
    const options = mp3OutputOptions(FORMAT).join(' ');
    for (const expected of ['-c:a libmp3lame', '-b:a 64k', '-ar 48000', '-ac 1', '-reservoir 0', '-id3v2_version 0', '-write_xing 0', '-map_metadata -1', '-vn', '-f mp3']) {
      expect(options).toContain(expected);
    }
  });

  it('open a local file by absolute path with a file: prefix, and a URL with a network timeout', () => {
    const file = transcodeCommand(songInput('/music/a:b.m4a'), FORMAT);
    expect(file.input).toBe('file:/music/a:b.m4a');
    expect(file.inputOptions).not.toContain('-rw_timeout');
    expect(file.outputOptions.slice(0, 2)).toEqual(['-map', '0:a:0']);

    const url = transcodeCommand(songInput('https://cdn.example/a.m4a?vkey=secret'), FORMAT);
    expect(url.input).toBe('https://cdn.example/a.m4a?vkey=secret');
    expect(url.inputOptions).toContain('-rw_timeout');
    expect(songInput('https://user:pw@cdn.example/a.m4a?vkey=secret').display).toBe('https://cdn.example/a.m4a?…');
  });

  it('refuse stdin and other ffmpeg protocols as a song input', () => {
    for (const input of ['-', 'pipe:0', 'concat:a.mp3|b.mp3', 'tcp://host:1', '', 'ftp://host/a.mp3']) {
      expect(() => songInput(input)).toThrow(AudioOptionError);
    }
  });

});
