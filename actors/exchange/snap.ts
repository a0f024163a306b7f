/**
 * Price and quantity increments, applied at every boundary (order creation, fill, venue submission).
 *
 * Rounding rule (documented once, tested in tests/actors/exchange/snap_test.ts):
 * - quantities round toward zero to the step size (never trade more than asked);
 * - limit prices round to the nearest tick, ties away from zero; a stop or limit that must not be worse
 *   than asked uses `snapPrice(..., "down")` for buys and `"up"` for sells;
 * - an increment of 0 means "no rounding" (e.g. CSV data with no instrument metadata).
 * The result is re-parsed through the increment's decimal places, so 0.1 + 0.2 snapped to 0.01 is 0.3 exactly.
 */

function decimals(increment: number): number {
  if (!Number.isFinite(increment) || increment <= 0) return 0;
  const text = increment.toExponential();
  const [mantissa, exponent] = text.split("e");
  const fraction = mantissa.split(".")[1]?.length ?? 0;
  return Math.max(0, fraction - Number(exponent));
}

function clean(value: number, increment: number): number {
  // Whole increments multiply exactly; only fractional ones need the decimal clean-up (and its cost).
  if (Number.isInteger(increment)) return value;
  return Number(value.toFixed(Math.min(20, decimals(increment))));
}

export function snapQty(qty: number, step: number): number {
  if (!(step > 0)) return qty;
  // The epsilon keeps 0.3/0.1 = 2.9999999999999996 from flooring to 2.
  const units = Math.trunc(qty / step + (qty >= 0 ? 1e-9 : -1e-9));
  return clean(units * step, step) + 0; // + 0 turns -0 into 0
}

export function snapPrice(price: number, tick: number, mode: "nearest" | "down" | "up" = "nearest"): number {
  if (!(tick > 0)) return price;
  const ratio = price / tick;
  const units = mode === "down"
    ? Math.floor(ratio + 1e-9)
    : mode === "up"
    ? Math.ceil(ratio - 1e-9)
    : Math.sign(ratio) * Math.round(Math.abs(ratio));
  return clean(units * tick, tick);
}
