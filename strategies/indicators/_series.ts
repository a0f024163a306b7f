/** Array form of a multi-output indicator: one Float64Array per output field, filled bar by bar. */
export function collect<K extends string>(
  n: number,
  keys: readonly K[],
  step: (i: number) => Readonly<Record<K, number>>,
): Record<K, Float64Array> {
  const out = {} as Record<K, Float64Array>;
  for (const k of keys) out[k] = new Float64Array(n);
  for (let i = 0; i < n; i++) {
    const r = step(i);
    for (const k of keys) out[k][i] = r[k];
  }
  return out;
}
