import { describe, expect, it } from 'vitest';
import { CliError, EXIT } from '../../../src/cli/cli-error.js';
import { compileFormat } from '../../../src/cli/format/song-format.js';

const full = { artist: 'Miles Davis', title: 'So What', album: 'Kind of Blue', time: '9:22', position: '3', ref: 'netease:1' };
const bare = { ref: 'netease:2', file: 'netease:2', position: '4' };

describe('compileFormat', () => {
  it('replaces tags', () => {
    expect(compileFormat('%position% %artist% - %title% (%album%, %time%)').render(full)).toBe('3 Miles Davis - So What (Kind of Blue, 9:22)');
  });

  it('drops a [group] whose tags are missing', () => {
    const format = compileFormat('[%artist% - ]%title%');
    expect(format.render(full)).toBe('Miles Davis - So What');
    expect(format.render({ title: 'Untitled' })).toBe('Untitled');
  });

  it('takes the first complete alternative', () => {
    const format = compileFormat('%position%. [[%artist% - ]%title%|%ref%]');
    expect(format.render(full)).toBe('3. Miles Davis - So What');
    expect(format.render(bare)).toBe('4. netease:2');
  });

  it('prints the first alternative with blanks when none is complete at the top level', () => {
    expect(compileFormat('%artist%|%album%').render({})).toBe('');
    expect(compileFormat('<%title%>').render({})).toBe('<>');
  });

  it('treats & as "both must be present"', () => {
    const format = compileFormat('[%artist%&%title%]');
    expect(format.render(full)).toBe('Miles DavisSo What');
    expect(format.render({ title: 'x' })).toBe('');
  });

  it('understands escapes', () => {
    expect(compileFormat('\\[%title%\\] 100\\%\\n\\|').render(full)).toBe('[So What] 100%\n|');
  });

  it.each([
    ['%titel%', /unknown tag %titel%/],
    ['50%', /unknown tag %/],
    ['[%title%', /no matching \]/],
    ['%title%]', /no matching \[/],
    ['abc\\', /lone \\/],
    ['['.repeat(20) + ']'.repeat(20), /nested deeper/],
  ])('refuses %j with what to fix', (format, message) => {
    expect(() => compileFormat(format)).toThrow(CliError);
    expect(() => compileFormat(format)).toThrow(expect.objectContaining({ exitCode: EXIT.usage }));
    expect(() => compileFormat(format)).toThrow(message);
  });
});
