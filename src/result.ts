/**
 * "It worked, here is the value" or "it did not, here is why", for answers that are normal data rather
 * than exceptions (an upstream that says no, a damaged cache entry, a forged file token).
 */
export type Result<T, F> = { readonly ok: true; readonly value: T } | { readonly ok: false; readonly failure: F };

export function ok<T>(value: T): Result<T, never> {
  return { ok: true, value };
}

export function failed<F>(failure: F): Result<never, F> {
  return { ok: false, failure };
}

/** What `work` resolves to, or what it throws as the failure, for a caller that sorts the errors itself. */
export async function settle<T>(work: () => Promise<T>): Promise<Result<T, unknown>> {
  try {
    return ok(await work());
  } catch (error) {
    return failed(error);
  }
}
