/** One line of the bench table. */
export interface Figure {
  /** Which measurement produced it (`startup`, `pacing`...). */
  measurement: string;
  /** What was measured, with how: "start → mount up (median of 3)". */
  name: string;
  /** The number, in `unit`; undefined when the measurement failed before it. */
  value: number | undefined;
  unit: string;
  /** The value as printed. */
  shown: string;
  /** "≤ 0.5 s", or what it compares with when there is no target. */
  target: string;
  verdict: 'pass' | 'fail' | 'info' | 'error';
  note?: string;
}

export interface FigureSpec {
  name: string;
  value: number | undefined;
  unit: string;
  /** Decimals to print (default 2). */
  digits?: number;
  note?: string;
}

/** A figure with an upper limit: pass when value ≤ limit. */
export function atMost(measurement: string, spec: FigureSpec, limit: number): Figure {
  const verdict = spec.value === undefined || !Number.isFinite(spec.value) ? 'error' : spec.value <= limit ? 'pass' : 'fail';
  return figure(measurement, spec, `≤ ${format(limit, spec.digits)} ${spec.unit}`, verdict);
}

/** A figure that must stay within ±tolerance of `nominal`. */
export function within(measurement: string, spec: FigureSpec, nominal: number, tolerance: number, targetText: string): Figure {
  const verdict =
    spec.value === undefined || !Number.isFinite(spec.value) ? 'error' : Math.abs(spec.value - nominal) <= tolerance ? 'pass' : 'fail';
  return figure(measurement, spec, targetText, verdict);
}

/** A figure reported for context, without a target (`reference` says what to compare it with). */
export function info(measurement: string, spec: FigureSpec, reference = '–'): Figure {
  return figure(measurement, spec, reference, spec.value === undefined ? 'error' : 'info');
}

/** A measurement that could not produce its figures: one row carrying the reason. */
export function failedMeasurement(measurement: string, error: unknown): Figure {
  const message = error instanceof Error ? error.message : String(error);
  return { measurement, name: `${measurement}: did not complete`, value: undefined, unit: '', shown: '–', target: '–', verdict: 'error', note: message };
}

function figure(measurement: string, spec: FigureSpec, target: string, verdict: Figure['verdict']): Figure {
  const shown = spec.value === undefined ? '–' : `${format(spec.value, spec.digits)} ${spec.unit}`.trim();
  const result: Figure = { measurement, name: spec.name, value: spec.value, unit: spec.unit, shown, target, verdict };
  if (spec.note !== undefined) result.note = spec.note;
  return result;
}

function format(value: number, digits = 2): string {
  return value.toFixed(digits);
}
