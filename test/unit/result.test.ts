import { describe, expect, it } from 'vitest';
import { failed, ok, settle } from '../../src/result.js';

describe('settle', () => {
  it('gives what the work resolves to', async () => {
    expect(await settle(async () => 'value')).toEqual(ok('value'));
  });

  it('gives what the work throws as the failure, sync throws included', async () => {
    const error = new Error('no');
    expect(await settle(async () => Promise.reject(error))).toEqual(failed(error));
    expect(
      await settle(() => {
        throw error;
      }),
    ).toEqual(failed(error));
  });
});
