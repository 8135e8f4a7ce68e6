/** Small pure statistics over measured samples. */

export function median(values: readonly number[]): number | undefined {
  if (values.length === 0) return undefined;
  const sorted = [...values].sort((a, b) => a - b);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2 === 1 ? sorted[middle] : ((sorted[middle - 1] ?? 0) + (sorted[middle] ?? 0)) / 2;
}

export function max(values: readonly number[]): number | undefined {
  return values.length === 0 ? undefined : Math.max(...values);
}

/** Least-squares slope and intercept of y against x; undefined for fewer than two distinct x. */
export function linearFit(points: readonly { x: number; y: number }[]): { slope: number; intercept: number } | undefined {
  const n = points.length;
  if (n < 2) return undefined;
  const meanX = points.reduce((sum, p) => sum + p.x, 0) / n;
  const meanY = points.reduce((sum, p) => sum + p.y, 0) / n;
  let sxx = 0;
  let sxy = 0;
  for (const p of points) {
    sxx += (p.x - meanX) ** 2;
    sxy += (p.x - meanX) * (p.y - meanY);
  }
  if (sxx === 0) return undefined;
  const slope = sxy / sxx;
  return { slope, intercept: meanY - slope * meanX };
}

export interface ArrivedChunk {
  readonly bytes: number;
  /** performance.now() */
  readonly at: number;
}

/**
 * Bytes per second at a listener over [fromMs, toMs], as the slope of the cumulative byte count against
 * arrival time. A plain bytes/elapsed over the window is off by up to one pacer tick at each edge
 * (~0.2 % of 60 s at 100 ms ticks); the fit uses every chunk, so edge jitter averages out.
 */
export function receivedRate(chunks: readonly ArrivedChunk[], fromMs: number, toMs: number): { bytesPerSecond: number; bytes: number; chunks: number } | undefined {
  const points: { x: number; y: number }[] = [];
  let cumulative = 0;
  let bytes = 0;
  for (const chunk of chunks) {
    cumulative += chunk.bytes;
    if (chunk.at < fromMs || chunk.at > toMs) continue;
    bytes += chunk.bytes;
    points.push({ x: chunk.at / 1000, y: cumulative });
  }
  const fit = linearFit(points);
  return fit ? { bytesPerSecond: fit.slope, bytes, chunks: points.length } : undefined;
}

/** Times between consecutive chunks arriving inside [fromMs, toMs], in ms, in arrival order. */
export function chunkGapsMs(chunks: readonly ArrivedChunk[], fromMs: number, toMs: number): number[] {
  const gaps: number[] = [];
  let previous: number | undefined;
  for (const chunk of chunks) {
    if (chunk.at < fromMs || chunk.at > toMs) continue;
    if (previous !== undefined) gaps.push(chunk.at - previous);
    previous = chunk.at;
  }
  return gaps;
}
