import { readFile, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import {
  BUNDLED_ICECAST_TEMPLATE,
  DEFAULT_STATION,
  ICECAST_TEMPLATE_SETTINGS,
  renderIcecastTemplate,
  templatePlaceholders,
  writeIcecastConfig,
} from '../../../src/setup/index.js';
import { renderIcecastConfig, STATION_MOUNTS_MARKER } from '../../../src/icecast-mounts/index.js';
import { makeTempDir } from '../../support/tmp.js';

const PASSWORDS = ['ICECAST_SOURCE_PASSWORD', 'ICECAST_RELAY_PASSWORD', 'ICECAST_ADMIN_PASSWORD'];

describe('icecast.xml, the template shared by docker compose and the tests', () => {
  it('has exactly the placeholders setup fills: its settings and the three passwords', async () => {
    const template = await readFile(BUNDLED_ICECAST_TEMPLATE, 'utf8');
    expect(templatePlaceholders(template).sort()).toEqual([...ICECAST_TEMPLATE_SETTINGS, ...PASSWORDS].sort());
  });

  it('bakes in no password: every credential is a placeholder', async () => {
    const template = await readFile(BUNDLED_ICECAST_TEMPLATE, 'utf8');
    for (const element of ['source-password', 'relay-password', 'admin-password']) {
      expect(template).toMatch(new RegExp(`<${element}>\\$\\{[A-Z_]+\\}</${element}>`));
    }
    expect(template).not.toMatch(/hackme/);
  });

  it('gives every mount UTF-8 titles every 4 KiB, and leaves the station mounts to one marker for relaycast icecast-config', async () => {
    const template = await readFile(BUNDLED_ICECAST_TEMPLATE, 'utf8');
    const defaultMount = /<mount type="default">([\s\S]*?)<\/mount>/.exec(template)?.[1] ?? '';
    expect(defaultMount).toContain('<charset>UTF-8</charset>');
    expect(defaultMount).toContain('<mp3-metadata-interval>4096</mp3-metadata-interval>');
    // No station is baked in: each one's mount and fallback mount are rendered from Redis at the marker.
    expect(template).not.toMatch(/<mount type="normal">\s*<mount-name>/);
    expect(template.split(STATION_MOUNTS_MARKER)).toHaveLength(2);
    const withStation = renderIcecastConfig(template, [{ name: DEFAULT_STATION.name, mount: DEFAULT_STATION.mount }], { baseName: 'template' }).text;
    const station = new RegExp(`<mount type="normal">\\s*<mount-name>${DEFAULT_STATION.mount}</mount-name>([\\s\\S]*?)</mount>`).exec(withStation)?.[1] ?? '';
    expect(station).toContain('<fallback-mount>/fallback/radio.mp3</fallback-mount>');
    expect(station).toContain('<fallback-override>1</fallback-override>');
    expect(withStation).toMatch(/<mount-name>\/fallback\/radio\.mp3<\/mount-name>\s*<hidden>1<\/hidden>/);
    expect(template).toMatch(/<source-timeout>\d+<\/source-timeout>/);
    expect(Number(/<burst-size>(\d+)</.exec(template)?.[1])).toBeLessThan(Number(/<queue-size>(\d+)</.exec(template)?.[1]));
  });

  it('renders values XML-escaped and refuses a placeholder without a value rather than leaving it empty', () => {
    expect(renderIcecastTemplate('<p>${A}</p><q>${B}</q>', { A: `a<b>&"c'`, B: 'plain' })).toBe('<p>a&lt;b&gt;&amp;&quot;c&apos;</p><q>plain</q>');
    expect(() => renderIcecastTemplate('<p>${A}</p><q>${B}</q>', { A: 'x' })).toThrow(ConfigError);
    expect(() => renderIcecastTemplate('<p>${A}</p><q>${B}</q>', { A: 'x' })).toThrow('no value for ${B}');
  });

  it('writes the rendered config readable by owner and group only: it holds the passwords', async () => {
    const temp = await makeTempDir('icecast-config');
    try {
      const values = Object.fromEntries([...ICECAST_TEMPLATE_SETTINGS, ...PASSWORDS].map((name) => [name, `v-${name}`]));
      const output = join(temp.dir, 'config', 'icecast.xml');
      await writeIcecastConfig(BUNDLED_ICECAST_TEMPLATE, output, values);
      const rendered = await readFile(output, 'utf8');
      expect(rendered).toContain('<source-password>v-ICECAST_SOURCE_PASSWORD</source-password>');
      expect(rendered).not.toMatch(/\$\{[A-Z]/);
      expect((await stat(output)).mode & 0o777).toBe(0o640);
      await expect(writeIcecastConfig(join(temp.dir, 'missing.xml'), output, values)).rejects.toThrow('ICECAST_CONFIG_TEMPLATE: cannot read');
    } finally {
      await temp.remove();
    }
  });
});
