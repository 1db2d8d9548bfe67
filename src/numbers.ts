/** Rounding for money and ratios, one definition for metrics, the plan, workflows and the demo. Pure: workflow-safe. */

/** `x` rounded half up to `digits` decimals (nudged by an epsilon so 1.005 rounds to 1.01, not 1.00). */
export function round(x: number, digits: number): number {
  const f = 10 ** digits;
  return Math.round(x * f + Math.sign(x) * Number.EPSILON * f) / f;
}

/** Money to the cent, so float noise (0.1 + 0.2) never reaches the ledger, a table or a comparison. */
export function cents(x: number): number {
  return round(x, 2);
}

/** Σ of money amounts, exact to the cent (summed as integer cents). */
export function sumMoney(xs: Iterable<number>): number {
  let total = 0;
  for (const x of xs) total += Math.round(x * 100);
  return total / 100;
}
