import { closeRedis, connectRedis, createStore } from '../store/index.js';
import type { ConfigFiles } from './config-files.js';
import type { EdgeMaster } from './edge-master.js';
import { renderIcecastConfig, type RenderedConfig } from './render.js';

export interface RenderOnceResult extends RenderedConfig {
  /** False when the file already held exactly this text (nothing was written, Icecast does not reload). */
  readonly written: boolean;
}

/**
 * One render, for scripts and `--once`: the stations from Redis (failing fast, StoreUnavailableError, when
 * it does not answer within ~3 s), the base, and the file written when its text changed.
 */
export async function renderOnce(files: ConfigFiles, redisUrl: string, edge: EdgeMaster | undefined): Promise<RenderOnceResult> {
  const base = await files.readBase();
  const redis = await connectRedis(redisUrl);
  let stations;
  try {
    stations = await createStore(redis).stations.list();
  } finally {
    await closeRedis(redis);
  }
  const rendered = renderIcecastConfig(base, stations, { baseName: 'ICECAST_BASE_CONFIG_PATH', edge });
  const written = rendered.text !== (await files.readOutput());
  if (written) await files.writeOutput(rendered.text);
  return { ...rendered, written };
}
