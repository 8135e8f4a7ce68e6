import { describe, expect, it } from 'vitest';
import {
  classifyAnswer,
  classifyNetworkError,
  IcecastAuthError,
  IcecastConnectionError,
  IcecastError,
  IcecastMountInUseError,
  IcecastRejectedError,
} from '../../../src/icecast/index.js';
import { RelaycastError } from '../../../src/errors.js';

describe('classifyAnswer (Icecast 2.4.4 answers, bodies as measured)', () => {
  it('401 is an auth error that names the mount and the setting to check', () => {
    const error = classifyAnswer('/radio.mp3', 'source', 401, 'You need to authenticate\r\n');
    expect(error).toBeInstanceOf(IcecastAuthError);
    expect(error).toBeInstanceOf(RelaycastError);
    expect(error).toMatchObject({ kind: 'auth', code: 'ERR_ICECAST_AUTH', status: 401, mount: '/radio.mp3' });
    expect(error.message).toBe('Icecast rejected the source password for /radio.mp3 (401): check ICECAST_SOURCE_PASSWORD');
  });

  it('401 with a custom source user names the user', () => {
    expect(classifyAnswer('/a.mp3', 'dj', 401, '').message).toContain('the source user "dj"');
  });

  it('403 "Mountpoint in use" is retried with backoff', () => {
    const error = classifyAnswer('/radio.mp3', 'source', 403, 'Mountpoint in use');
    expect(error).toBeInstanceOf(IcecastMountInUseError);
    expect(error).toMatchObject({ kind: 'mount-in-use', code: 'ERR_ICECAST_MOUNT_IN_USE', status: 403 });
  });

  it('403 "too many sources connected" is a slow-retry refusal that says which limit to raise', () => {
    const error = classifyAnswer('/radio.mp3', 'source', 403, 'too many sources connected');
    expect(error).toBeInstanceOf(IcecastRejectedError);
    expect(error.kind).toBe('rejected');
    expect(error.message).toContain('<limits><sources>');
    expect((error as IcecastRejectedError).reason).toBe('too many sources connected');
  });

  it('403 "No Content-type given" is a slow-retry refusal about the content type', () => {
    const error = classifyAnswer('/radio.mp3', 'source', 403, 'No Content-type given');
    expect(error.kind).toBe('rejected');
    expect(error.message).toContain('audio/mpeg');
  });

  it('an unknown 4xx is a refusal carrying the first line of the body', () => {
    const error = classifyAnswer('/radio.mp3', 'source', 404, '\r\nNo such thing\r\nmore');
    expect(error).toMatchObject({ kind: 'rejected', status: 404 });
    expect(error.message).toContain('404 No such thing');
  });

  it('a 5xx is transient: retried like a network failure', () => {
    expect(classifyAnswer('/radio.mp3', 'source', 503, 'busy')).toMatchObject({ kind: 'network', status: 503 });
  });
});

describe('classifyNetworkError', () => {
  it('ECONNREFUSED is "refused" (Icecast not listening, e.g. restarting), keeping the cause', () => {
    const cause = Object.assign(new Error('connect ECONNREFUSED 127.0.0.1:8000'), { code: 'ECONNREFUSED' });
    const error = classifyNetworkError('/radio.mp3', 'http://127.0.0.1:8000', cause);
    expect(error).toBeInstanceOf(IcecastConnectionError);
    expect(error).toMatchObject({ kind: 'refused', code: 'ERR_ICECAST_CONNECTION', cause });
    expect(error.message).toContain('http://127.0.0.1:8000');
  });

  it('any other transport error is "network" and names its code', () => {
    const cause = Object.assign(new Error('read ECONNRESET'), { code: 'ECONNRESET' });
    const error = classifyNetworkError('/radio.mp3', 'http://127.0.0.1:8000', cause);
    expect(error).toBeInstanceOf(IcecastError);
    expect(error.kind).toBe('network');
    expect(error.message).toContain('ECONNRESET');
  });
});
