import { spawnSync } from 'node:child_process';

const INSTALL_HINT: Record<string, string> = {
  ffmpeg: 'apt-get install -y ffmpeg',
  ffprobe: 'apt-get install -y ffmpeg',
  icecast2: 'apt-get install -y icecast2',
  'redis-server': 'apt-get install -y redis-server',
  'redis-cli': 'apt-get install -y redis-server',
  'docker-compose': 'apt-get install -y docker-compose',
  setpriv: 'apt-get install -y util-linux',
  chromium: 'apt-get install -y chromium',
  'fc-list': 'apt-get install -y fontconfig',
  prometheus: 'apt-get install -y --no-install-recommends prometheus',
  promtool: 'apt-get install -y --no-install-recommends prometheus',
};

/**
 * Integration tests never skip silently: a missing program fails the test with what to install.
 * (`npm test` installs all of them on a fresh Debian/Ubuntu machine.)
 */
export function requirePrograms(...programs: string[]): void {
  const missing = programs.filter((program) => spawnSync('sh', ['-c', `command -v ${program}`]).status !== 0);
  if (missing.length > 0) {
    const hints = missing.map((program) => INSTALL_HINT[program] ?? `install ${program}`);
    throw new Error(`missing ${missing.join(', ')}: run \`npm test\` or ${[...new Set(hints)].join(' && ')}`);
  }
}

/**
 * A font with Chinese glyphs, so a browser renders CJK titles instead of empty boxes (Debian's chromium brings
 * no such font). fontconfig's own answer, as the browser asks it.
 */
export function requireCjkFont(): void {
  requirePrograms('fc-list');
  const found = spawnSync('fc-list', [':lang=zh', 'family'], { encoding: 'utf8' }).stdout.trim();
  if (found === '') throw new Error('no font with Chinese glyphs: run `npm test` or apt-get install -y fonts-wqy-microhei');
}
