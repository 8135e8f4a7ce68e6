import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../../src/errors.js';
import { escapeXml } from '../../../src/xml-text.js';
import { EDGE_RELAY_RETRY_SECONDS, insertAtMarker, parseEdgeMaster, renderIcecastConfig, renderStationMounts, STATION_MOUNTS_MARKER } from '../../../src/icecast-mounts/index.js';

const BASE = `<icecast>\n    <limits/>\n    ${STATION_MOUNTS_MARKER}\n\n    <paths/>\n</icecast>\n`;

/** The text of every element `name` in `xml`, in order. */
const texts = (xml: string, name: string) => [...xml.matchAll(new RegExp(`<${name}>([^<]*)</${name}>`, 'g'))].map((match) => match[1]);

describe("each station's Icecast mount blocks", () => {
  it('give every station its own fallback mount (/fallback + its mount) with override, and that fallback hidden', () => {
    const { xml, mounts } = renderStationMounts([{ name: 'main', mount: '/radio.mp3' }]);
    expect(mounts).toEqual(['/radio.mp3']);
    expect(xml).toBe(
      [
        '<mount type="normal">',
        '    <mount-name>/radio.mp3</mount-name>',
        '    <fallback-mount>/fallback/radio.mp3</fallback-mount>',
        '    <fallback-override>1</fallback-override>',
        '</mount>',
        '<mount type="normal">',
        '    <mount-name>/fallback/radio.mp3</mount-name>',
        '    <hidden>1</hidden>',
        '</mount>',
      ]
        .map((line) => `    ${line}`)
        .join('\n'),
    );
  });

  it('sorts by mount, whatever order the stations come in, so the same stations always give the same file', () => {
    const a = renderStationMounts([{ name: 'z', mount: '/b.mp3' }, { name: 'y', mount: '/a.mp3' }, { name: 'x', mount: '/live/c.mp3' }]);
    const b = renderStationMounts([{ name: 'x', mount: '/live/c.mp3' }, { name: 'y', mount: '/a.mp3' }, { name: 'z', mount: '/b.mp3' }]);
    expect(a.xml).toBe(b.xml);
    expect(texts(a.xml, 'mount-name')).toEqual(['/a.mp3', '/fallback/a.mp3', '/b.mp3', '/fallback/b.mp3', '/live/c.mp3', '/fallback/live/c.mp3']);
  });

  it('escapes what it writes and leaves out (and reports) a stored mount Icecast cannot be given', () => {
    const { xml, skipped } = renderStationMounts([
      { name: 'bad', mount: '/a<b>&"c\'.mp3' },
      { name: 'ok', mount: '/ok.mp3' },
      { name: 'twin', mount: '/ok.mp3' },
      { name: 'fb', mount: '/fallback/x.mp3' },
    ]);
    expect(texts(xml, 'mount-name')).toEqual(['/ok.mp3', '/fallback/ok.mp3']);
    expect(skipped.map((station) => station.name)).toEqual(['bad', 'twin', 'fb']);
    expect(skipped[1]!.problem).toContain('"ok"');
    expect(xml).not.toMatch(/<mount-name>[^<]*[&"'][^<]*<\/mount-name>/);
    // Every text goes through the one XML rule (mounts and hosts are checked first, so it is a second fence).
    expect(escapeXml(`/a<b>&"c'`)).toBe('/a&lt;b&gt;&amp;&quot;c&apos;');
  });

  it('on an edge, also relays both mounts of every station from the master, connected all the time, titles passed on', () => {
    const edge = parseEdgeMaster('icecast:8000');
    const { xml } = renderStationMounts([{ name: 'main', mount: '/radio.mp3' }], edge);
    const relays = [...xml.matchAll(/<relay>([\s\S]*?)<\/relay>/g)].map((match) => match[1]!);
    expect(relays).toHaveLength(2);
    expect(relays.map((relay) => [texts(relay, 'mount')[0], texts(relay, 'local-mount')[0]])).toEqual([
      ['/radio.mp3', '/radio.mp3'],
      ['/fallback/radio.mp3', '/fallback/radio.mp3'],
    ]);
    for (const relay of relays) {
      expect(texts(relay, 'server')).toEqual(['icecast']);
      expect(texts(relay, 'port')).toEqual(['8000']);
      expect(texts(relay, 'on-demand')).toEqual(['0']);
      expect(texts(relay, 'relay-shoutcast-metadata')).toEqual(['1']);
    }
    // The edge's own copy of the mount has its fallback too: a relay that breaks moves its listeners there.
    expect(xml).toContain('<fallback-mount>/fallback/radio.mp3</fallback-mount>');
  });

  it('on an edge, retries a relay that found no mount on the master within seconds, unless the base says otherwise', () => {
    const edge = parseEdgeMaster('icecast:8000');
    const onEdge = renderIcecastConfig(BASE, [{ name: 'main', mount: '/radio.mp3' }], { baseName: 'BASE', edge }).text;
    expect(texts(onEdge, 'master-update-interval')).toEqual([String(EDGE_RELAY_RETRY_SECONDS)]);
    expect(EDGE_RELAY_RETRY_SECONDS).toBeLessThanOrEqual(10);
    const onMaster = renderIcecastConfig(BASE, [{ name: 'main', mount: '/radio.mp3' }], { baseName: 'BASE' }).text;
    expect(onMaster).not.toContain('master-update-interval');
    const ownInterval = BASE.replace('<limits/>', '<limits/>\n    <master-update-interval>30</master-update-interval>');
    expect(texts(renderIcecastConfig(ownInterval, [], { baseName: 'BASE', edge }).text, 'master-update-interval')).toEqual(['30']);
  });

  it('takes the master as host:port only', () => {
    expect(parseEdgeMaster('10.0.0.5:8000')).toEqual({ host: '10.0.0.5', port: 8000 });
    for (const bad of ['icecast', 'http://icecast:8000', 'icecast:0', 'icecast:70000', 'ice cast:8000', 'a&b:8000', '']) {
      expect(() => parseEdgeMaster(bad), bad).toThrow(ConfigError);
    }
    expect(() => parseEdgeMaster('icecast')).toThrow('ICECAST_EDGE_MASTER: must be host:port');
  });
});

describe('the station-mounts marker of the base config', () => {
  it('is replaced by the blocks, the rest of the base kept byte for byte', () => {
    const rendered = renderIcecastConfig(BASE, [{ name: 'main', mount: '/radio.mp3' }], { baseName: 'BASE' }).text;
    expect(rendered.startsWith('<icecast>\n    <limits/>\n    <!-- station mounts')).toBe(true);
    expect(rendered.endsWith('</mount>\n\n    <paths/>\n</icecast>\n')).toBe(true);
    expect(rendered).not.toContain(STATION_MOUNTS_MARKER);
    expect(texts(rendered, 'mount-name')).toEqual(['/radio.mp3', '/fallback/radio.mp3']);
  });

  it('with no station, leaves a comment and no block', () => {
    const rendered = insertAtMarker(BASE, '', 'BASE');
    expect(rendered).not.toContain('<mount');
    expect(rendered).toContain('<!-- station mounts, rendered from Redis by relaycast icecast-config -->');
  });

  it('missing or doubled is a ConfigError naming the base: the stations would silently lose their fallbacks', () => {
    expect(() => insertAtMarker('<icecast></icecast>', '', 'ICECAST_BASE_CONFIG_PATH')).toThrow(ConfigError);
    expect(() => insertAtMarker('<icecast></icecast>', '', 'ICECAST_BASE_CONFIG_PATH')).toThrow(/^config: ICECAST_BASE_CONFIG_PATH: has no <!-- relaycast:station-mounts --> line/);
    expect(() => insertAtMarker(`${BASE}${STATION_MOUNTS_MARKER}`, '', 'B')).toThrow('more than one');
    // A written config is no base: it cannot be rendered into again by mistake.
    expect(() => insertAtMarker(insertAtMarker(BASE, '', 'B'), '', 'B')).toThrow(ConfigError);
  });
});
