/**
 * Higher timeframes survive a strategy restart: the crashed strategy's 1d bars (and the day it was filling) come
 * back from the supervisor's snapshot, so after the crash it sees the same days as a run that never crashed.
 */
import assert from "node:assert/strict";
import { createInProcessHost, type LogRecord, simulatedClock } from "../../../actors/runtime/mod.ts";
import type { Bar } from "../../../actors/protocol/mod.ts";

const actor = (p: string) => new URL(`../../../actors/${p}`, import.meta.url).href;
const STRATEGY = new URL("./mtf_fixture.ts", import.meta.url).href;
const RECORDER = new URL("../risk_guardian/recorder.ts", import.meta.url).href;
const HOUR = 3_600_000;

const bar = (i: number, volume = 1): Bar => ({
  symbol: "X",
  timeframe: "1h",
  ts: i * HOUR,
  open: 100 + Math.sin(i),
  high: 101 + Math.sin(i) + (i % 7),
  low: 99 + Math.sin(i) - (i % 5),
  close: 100 + Math.cos(i),
  volume,
});

async function run(poisonAt: number | undefined): Promise<string[]> {
  const clock = simulatedClock(0);
  const logs: LogRecord[] = [];
  const host = createInProcessHost({ clock, logSink: (r) => logs.push(r), autoDrain: false });
  await host.start({
    kind: "supervisor",
    id: "t",
    strategy: "one_for_one",
    children: [
      { kind: "actor", id: "risk", module: RECORDER },
      {
        kind: "actor",
        id: "s",
        module: actor("strategy_supervisor/strategy_supervisor.ts"),
        config: { strategyId: "s", module: STRATEGY, symbols: ["X"], timeframe: "1h", riskPath: "t/risk", capital: 1 },
      },
    ],
  });
  let restarted = false;
  for (let i = 0; i < 24 * 5; i++) {
    clock.advanceTo((i + 1) * HOUR);
    if (i === poisonAt) {
      host.tell("t/s", { type: "Bar", bar: bar(i, -1) });
      host.drain();
      await host.idle(); // the restart from the snapshot
      restarted = true;
    }
    host.tell("t/s", { type: "Bar", bar: bar(i) });
    host.drain();
  }
  await host.stop();
  assert.equal(restarted, poisonAt !== undefined);
  assert.equal(logs.some((r) => r.msg === "actor crashed" || /crash/.test(String(r.msg))), restarted);
  // Per base bar, what the strategy saw when it handled it (a warm-up replay after the crash logs earlier bars again,
  // muted: the first line of each bar is the one it traded on).
  const seen = new Map<number, string>();
  for (const r of logs) {
    if (r.msg === "day" && !seen.has(r.bar as number)) {
      seen.set(r.bar as number, JSON.stringify([r.length, r.day, r.high, r.low, r.close]));
    }
  }
  return [...seen.values()];
}

Deno.test("strategy supervisor: 1d bars built from 1h bars come back after a crash as if it never happened", async () => {
  const clean = await run(undefined);
  // In the middle of the third day: that day's bucket is half filled when the strategy crashes.
  const crashed = await run(24 * 2 + 11);
  assert.equal(clean.length, 24 * 5);
  assert.deepEqual(crashed, clean);
  assert.equal(JSON.parse(clean[clean.length - 1])[0], 5, "five whole days seen by the last bar");
});
