/** RMS level in dBFS of each `windowSeconds` window of mono float PCM (whole windows only; -120 for digital silence). */
export function rmsEnvelopeDb(pcm: Float32Array, sampleRate: number, windowSeconds: number): number[] {
  const size = Math.round(sampleRate * windowSeconds);
  const levels: number[] = [];
  for (let start = 0; start + size <= pcm.length; start += size) {
    let sum = 0;
    for (let index = start; index < start + size; index += 1) sum += pcm[index]! * pcm[index]!;
    const rms = Math.sqrt(sum / size);
    levels.push(rms > 0 ? Math.max(-120, 20 * Math.log10(rms)) : -120);
  }
  return levels;
}
