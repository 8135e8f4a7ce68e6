import type { z } from 'zod';
import type { Parsed } from '../provider.js';
import { readJson, statusFailure, upstreamError, type UpstreamResponse } from '../../upstream/response.js';
import { ok } from '../../../result.js';

/**
 * The answer of one module in a `musicu.fcg` reply. Each module answers under the key the request chose
 * (`req_0`, `songinfo`, `_`…), next to modules of other requests (the CDN module under `req` has its own
 * `expiration` and `sip`), so the module is found by the shape it must have, never by a fixed key.
 */
export function findMusicuModule<T>(response: UpstreamResponse, schema: z.ZodType<T>, what: string): Parsed<T> {
  const json = readJson(response);
  if (!json.ok) return json;
  const top = json.value;
  if (typeof top !== 'object' || top === null || Array.isArray(top)) {
    return upstreamError(`QQ ${what}: answer is not a JSON object`, true);
  }
  const record = top as Record<string, unknown>;
  // A non-zero top-level code is a failed call as a whole, e.g. the retired fcg_music_express endpoint's 104003.
  if (typeof record.code === 'number' && record.code !== 0) {
    const info = typeof record.errinfo === 'string' ? ` (${record.errinfo})` : '';
    return upstreamError(`QQ ${what}: answered code ${record.code}${info}`, true);
  }
  for (const value of Object.values(record)) {
    const module = schema.safeParse(value);
    if (module.success) return ok(module.data);
  }
  if (response.status < 200 || response.status >= 300) return statusFailure(response, `QQ ${what}`);
  return upstreamError(`QQ ${what}: no module with the expected fields in the answer`, true);
}
