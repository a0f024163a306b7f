/**
 * Order latency as the risk guardian sees it, on its own clock (the live clock in the daemon): every order from a
 * strategy passes it on the way to the venue and every venue answer on the way back, and it forwards the bars.
 *   ack:        SubmitOrder passed on to the venue → the venue's first answer (accepted, rejected or filled)
 *   barToOrder: a bar handed to the strategies → the first order a strategy sends for that symbol after it
 * Prometheus-style histograms (cumulative on render, in seconds). Plain data, so the guardian's snapshot keeps them.
 */

/** Upper bounds in seconds: 1 ms to 30 s (a venue answer within the poll interval, a slow REST round trip). */
export const LATENCY_BUCKETS: readonly number[] = [
  0.001,
  0.0025,
  0.005,
  0.01,
  0.025,
  0.05,
  0.1,
  0.25,
  0.5,
  1,
  2.5,
  5,
  10,
  30,
];

export interface Histogram {
  /** Observations per bucket (not cumulative); the last slot counts those above every bound. */
  readonly counts: number[];
  count: number;
  /** Seconds. */
  sum: number;
}

export interface OrderLatency {
  readonly ack: Histogram;
  readonly barToOrder: Histogram;
  /** Client order id → when it went to the venue. */
  readonly sentAt: Map<string, number>;
  /** Symbol → the last bar handed to the strategies: its time and when. */
  readonly barAt: Map<string, { readonly ts: number; readonly at: number }>;
  /** Strategy + symbol → the bar time already measured (only the first order after a bar counts). */
  readonly measured: Map<string, number>;
}

/** Orders waiting for their answer, at most: a venue that never answers must not grow the guardian without bound. */
const MAX_WAITING = 10_000;

const histogram = (): Histogram => ({ counts: new Array(LATENCY_BUCKETS.length + 1).fill(0), count: 0, sum: 0 });

export function createLatency(): OrderLatency {
  return { ack: histogram(), barToOrder: histogram(), sentAt: new Map(), barAt: new Map(), measured: new Map() };
}

export function observe(h: Histogram, seconds: number): void {
  const s = Math.max(0, seconds);
  let i = 0;
  while (i < LATENCY_BUCKETS.length && s > LATENCY_BUCKETS[i]) i++;
  h.counts[i]++;
  h.count++;
  h.sum += s;
}

export function barForwarded(l: OrderLatency, symbol: string, barTs: number, now: number): void {
  l.barAt.set(symbol, { ts: barTs, at: now });
}

export function orderSent(
  l: OrderLatency,
  order: { readonly clientOrderId: string; readonly strategyId: string; readonly symbol: string },
  now: number,
): void {
  const bar = l.barAt.get(order.symbol);
  const key = `${order.strategyId}\u0000${order.symbol}`;
  if (bar && l.measured.get(key) !== bar.ts) {
    l.measured.set(key, bar.ts);
    observe(l.barToOrder, (now - bar.at) / 1000);
  }
  if (l.sentAt.size >= MAX_WAITING) l.sentAt.delete(l.sentAt.keys().next().value!);
  l.sentAt.set(order.clientOrderId, now);
}

/** The venue's first answer about an order; later events about it are not measured again. */
export function venueAnswered(l: OrderLatency, clientOrderId: string, now: number): void {
  const sent = l.sentAt.get(clientOrderId);
  if (sent === undefined) return;
  l.sentAt.delete(clientOrderId);
  observe(l.ack, (now - sent) / 1000);
}

export interface HistogramReport {
  readonly buckets: readonly number[];
  readonly counts: readonly number[];
  readonly count: number;
  readonly sum: number;
}

export function latencyReport(l: OrderLatency): { ack: HistogramReport; barToOrder: HistogramReport } {
  const report = (h: Histogram) => ({ buckets: LATENCY_BUCKETS, counts: [...h.counts], count: h.count, sum: h.sum });
  return { ack: report(l.ack), barToOrder: report(l.barToOrder) };
}
