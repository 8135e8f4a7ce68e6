/**
 * `work`'s outcome, or `onLate()`'s (its value, or what it throws) once `ms` have passed, whichever comes
 * first. The timer never outlives the race, so a finished race keeps no process alive.
 */
export async function withDeadline<T, L = T>(work: Promise<T>, ms: number, onLate: () => L): Promise<T | L> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<L>((resolve, reject) => {
    timer = setTimeout(() => {
      try {
        resolve(onLate());
      } catch (error) {
        reject(error);
      }
    }, Math.max(0, ms));
  });
  try {
    return await Promise.race([work, late]);
  } finally {
    clearTimeout(timer);
  }
}
