/**
 * Small statistics for benchmark samples: quantiles, a summary with spread, and ratios.
 */

/** Median, quartiles, p95/p99, min/max and count of a sample. */
export interface Summary {
  n: number;
  min: number;
  p25: number;
  median: number;
  p75: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/**
 * The q-quantile (0..1) of `values` by linear interpolation between order statistics.
 *
 * @example
 * quantile([1, 2, 3, 4], 0.5); // 2.5
 */
export function quantile(values: readonly number[], q: number): number {
  if (values.length === 0) throw new RangeError("quantile of an empty sample: run at least one iteration");
  if (!(q >= 0 && q <= 1)) throw new RangeError(`quantile q must be in [0, 1], got ${q}`);
  const sorted = [...values].sort((a, b) => a - b);
  const position = (sorted.length - 1) * q;
  const lower = Math.floor(position);
  const upper = Math.ceil(position);
  const low = sorted[lower] as number;
  const high = sorted[upper] as number;
  return low + (high - low) * (position - lower);
}

/**
 * Summary statistics of a non-empty sample.
 *
 * @example
 * summarize([3, 1, 2]).median; // 2
 */
export function summarize(values: readonly number[]): Summary {
  if (values.length === 0) throw new RangeError("summarize needs at least one value");
  const round = (x: number) => Math.round(x * 100) / 100;
  return {
    n: values.length,
    min: round(Math.min(...values)),
    p25: round(quantile(values, 0.25)),
    median: round(quantile(values, 0.5)),
    p75: round(quantile(values, 0.75)),
    p95: round(quantile(values, 0.95)),
    p99: round(quantile(values, 0.99)),
    max: round(Math.max(...values)),
    mean: round(values.reduce((a, b) => a + b, 0) / values.length),
  };
}

/**
 * `a / b` rounded to two decimals; `null` when `b` is 0.
 *
 * @example
 * ratio(150, 30); // 5
 */
export function ratio(a: number, b: number): number | null {
  if (b === 0) return null;
  return Math.round((a / b) * 100) / 100;
}

/**
 * Wilson score interval (95 %) for `successes` out of `trials`, so a P(all found) of 1.000 over 1,000
 * runs is read as "at least ~0.996", not as certainty.
 *
 * @example
 * wilsonLower(1000, 1000); // ≈ 0.9962
 */
export function wilsonLower(successes: number, trials: number): number {
  if (trials <= 0) throw new RangeError(`wilsonLower needs trials > 0, got ${trials}`);
  const z = 1.96;
  const p = successes / trials;
  const denominator = 1 + (z * z) / trials;
  const centre = p + (z * z) / (2 * trials);
  const margin = z * Math.sqrt((p * (1 - p)) / trials + (z * z) / (4 * trials * trials));
  return (centre - margin) / denominator;
}
