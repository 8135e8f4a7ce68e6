import { describe, expect, it } from 'vitest';
import { ConfigError } from '../../src/errors.js';
import { describeUnknownOptions, rejectUnknownConfigKeys, rejectUnknownOptions } from '../../src/unknown-options.js';

class WidgetError extends Error {}

describe('rejectUnknownOptions', () => {
  it('accepts options that use only known keys', () => {
    expect(() => rejectUnknownOptions({ a: 1 }, ['a', 'b'], () => new WidgetError('unexpected'))).not.toThrow();
  });

  it("throws the receiver's error with every unknown key, in the order given, and the known ones", () => {
    const run = (): void =>
      rejectUnknownOptions({ z: 1, a: 1, y: 2 }, new Set(['a', 'b']), (unknown) => new WidgetError(describeUnknownOptions(unknown)));
    expect(run).toThrow(WidgetError);
    expect(run).toThrow('unknown option(s) z, y (known: a, b)');
  });

  it('names the kind of option when asked', () => {
    expect(describeUnknownOptions({ keys: ['retries'], known: ['baseUrl'] }, 'relay client option')).toBe(
      'unknown relay client option(s) retries (known: baseUrl)',
    );
  });
});

describe('rejectUnknownConfigKeys', () => {
  it('names the first unknown key in full in a ConfigError', () => {
    try {
      rejectUnknownConfigKeys('icecast.ice', { nam: 'x' }, ['name']);
      expect.unreachable();
    } catch (error) {
      expect(error).toBeInstanceOf(ConfigError);
      expect((error as ConfigError).key).toBe('icecast.ice.nam');
      expect((error as ConfigError).message).toBe('config: icecast.ice.nam: unknown option(s) nam (known: name)');
    }
  });
});
