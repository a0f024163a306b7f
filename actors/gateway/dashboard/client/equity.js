// Equity charts from /ws/performance: the account's equity with its drawdown, and each strategy's equity. On every
// (re)connect the history is rebuilt from the journal's curves (/api/v1/strategies/{id}/performance); the channel's
// equity events then extend it in place.
import { call } from "./api.js";
import { subscribe } from "./channel.js";
import { byId, money } from "./dom.js";
import { colorOf, lineChart } from "./chart.js";

const HISTORY_POINTS = 500;

export function setupEquity() {
  const account = lineChart(byId("chart-equity"), {
    lines: [
      { label: "equity", format: money },
      { label: "drawdown %", color: "#f85149", fill: "#f8514926", scale: "dd", format: (v) => `${v.toFixed(2)} %` },
    ],
    scales: { dd: { range: (_u, min) => [Math.min(min, -1), 0] } },
    axes: [{ scale: "dd", side: 1, size: 50, grid: { show: false }, values: (_u, vs) => vs.map((v) => `${v}%`) }],
  });
  const perStrategy = lineChart(byId("chart-strategies"), { lines: [], height: 180 });
  let ids = [];
  let peak = -Infinity;

  const pushAccount = (ts, equity) => {
    peak = Math.max(peak, equity);
    account.push(ts, [equity, peak > 0 ? (equity / peak - 1) * 100 : 0]);
  };
  const setIds = (next) => {
    const sorted = [...new Set(next)].sort();
    if (sorted.join("\u0000") === ids.join("\u0000")) return;
    ids = sorted;
    perStrategy.setLines(ids.map((id, i) => ({ label: id, color: colorOf(i + 1), format: money })));
  };

  const rebuild = async (snapshot) => {
    const names = Object.keys(snapshot.strategies ?? {});
    account.clear();
    perStrategy.clear();
    peak = -Infinity;
    setIds(names);
    const curves = await Promise.all(
      names.map((id) =>
        call("GET", `/api/v1/strategies/${encodeURIComponent(id)}/performance?points=${HISTORY_POINTS}`)
          .then((r) => (r.ok && Array.isArray(r.body.points) ? r.body.points : []))
      ),
    );
    // The journal's curves share their times (one point per bar): the account is their sum at each.
    const times = curves.find((c) => c.length > 0)?.map((p) => p[0]) ?? [];
    const aligned = curves.every((c) => c.length === 0 || c.length === times.length);
    times.forEach((ts, i) => {
      const values = curves.map((c) => (c.length ? c[i][1] : null));
      perStrategy.push(ts, values);
      if (aligned) pushAccount(ts, values.reduce((a, b) => a + (b ?? 0), 0));
    });
  };

  let building = Promise.resolve();
  return subscribe("/ws/performance", {
    snapshot: (msg) => (building = rebuild(msg).catch(() => {})),
    event: async (msg) => {
      if (msg.type !== "equity") return;
      await building;
      setIds([...ids, ...Object.keys(msg.strategies ?? {})]);
      pushAccount(msg.ts, msg.equity);
      perStrategy.push(msg.ts, ids.map((id) => msg.strategies?.[id] ?? null));
    },
  });
}
