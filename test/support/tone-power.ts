/** Goertzel power of each frequency in each `windowSeconds` window of mono float PCM: which test tone sounds when. */
export function tonePowers(pcm: Float32Array, sampleRate: number, windowSeconds: number, frequencies: readonly number[]): number[][] {
  const size = Math.round(sampleRate * windowSeconds);
  const out: number[][] = [];
  for (let start = 0; start + size <= pcm.length; start += size) {
    out.push(
      frequencies.map((frequency) => {
        const coefficient = 2 * Math.cos((2 * Math.PI * frequency) / sampleRate);
        let previous = 0;
        let beforePrevious = 0;
        for (let index = start; index < start + size; index += 1) {
          const current = pcm[index]! + coefficient * previous - beforePrevious;
          beforePrevious = previous;
          previous = current;
        }
        return previous * previous + beforePrevious * beforePrevious - coefficient * previous * beforePrevious;
      }),
    );
  }
  return out;
}
