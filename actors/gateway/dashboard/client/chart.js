// Charts on uPlot (inlined by the server): data in bounded arrays updated in place, redrawn at most once per
// animation frame, resized with their box. Times are epoch ms in, seconds for uPlot.
/* global uPlot */

/** The most points a chart keeps: older ones are dropped first. */
export const MAX_POINTS = 2000;

const css = (name) => getComputedStyle(document.documentElement).getPropertyValue(name).trim();

const PALETTE = ["#58a6ff", "#3fb950", "#d29922", "#bc8cff", "#f778ba", "#39c5cf", "#ff7b72", "#e3b341"];
export const colorOf = (i) => PALETTE[i % PALETTE.length];

function axis(extra = {}) {
  return {
    stroke: css("--dim"),
    grid: { stroke: css("--line"), width: 1 },
    ticks: { stroke: css("--line") },
    ...extra,
  };
}

/** A uPlot in `el` that follows its width and redraws on `schedule()` at most once per frame. */
function mount(el, options, data) {
  const width = () => Math.max(200, el.clientWidth || 300);
  let plot = new uPlot({ ...options, width: width() }, data, el);
  let frame = 0;
  const observer = new ResizeObserver(() => {
    if (el.clientWidth > 0 && Math.abs(plot.width - width()) > 1) {
      plot.setSize({ width: width(), height: options.height });
    }
  });
  observer.observe(el);
  return {
    get plot() {
      return plot;
    },
    schedule(next) {
      if (frame) return;
      frame = requestAnimationFrame(() => {
        frame = 0;
        const data = next();
        plot.setData(data);
        // How many points are drawn, for people and tests inspecting the page.
        el.dataset.points = String(data[0].length);
      });
    },
    rebuild(nextOptions, nextData) {
      plot.destroy();
      options = nextOptions;
      plot = new uPlot({ ...nextOptions, width: width() }, nextData, el);
    },
  };
}

/**
 * Lines over time sharing one x. `lines`: [{ label, color?, fill?, scale?, format? }]; extra axes for other scales.
 * push(ts, values) appends (or replaces the last point of the same time); setLines() redefines the series.
 */
export function lineChart(el, { lines, height = 220, axes = [], scales = {} }) {
  let xs = [];
  let ys = lines.map(() => []);
  const optionsFor = (defs) => ({
    height,
    scales: { x: { time: true }, ...scales },
    legend: { show: true },
    cursor: { drag: { x: true, y: false } },
    axes: [axis(), axis({ size: 70 }), ...axes.map((a) => axis(a))],
    series: [
      {},
      ...defs.map((d, i) => ({
        label: d.label,
        stroke: d.color ?? colorOf(i),
        ...(d.fill ? { fill: d.fill } : {}),
        width: d.fill ? 1 : 1.5,
        scale: d.scale ?? "y",
        points: { show: false },
        ...(d.format ? { value: (_u, v) => (v == null ? "--" : d.format(v)) } : {}),
      })),
    ],
  });
  let defs = lines;
  const chart = mount(el, optionsFor(defs), [xs, ...ys]);
  const data = () => [xs, ...ys];
  return {
    push(ts, values) {
      const x = ts / 1000;
      const last = xs.length - 1;
      if (last >= 0 && xs[last] === x) {
        values.forEach((v, i) => (ys[i][last] = v));
      } else if (last >= 0 && x < xs[last]) {
        return; // out of order (a repeat after a reconnect): the chart keeps time moving forward
      } else {
        xs.push(x);
        values.forEach((v, i) => ys[i].push(v));
        if (xs.length > MAX_POINTS) {
          xs = xs.slice(-MAX_POINTS);
          ys = ys.map((s) => s.slice(-MAX_POINTS));
        }
      }
      chart.schedule(data);
    },
    /** Redefines the lines, keeping the points of those that stay (by label), null for new ones. */
    setLines(next) {
      const old = new Map(defs.map((d, i) => [d.label, ys[i]]));
      ys = next.map((d) => old.get(d.label) ?? xs.map(() => null));
      defs = next;
      chart.rebuild(optionsFor(defs), data());
    },
    clear() {
      xs = [];
      ys = defs.map(() => []);
      chart.schedule(data);
    },
    get points() {
      return xs.length;
    },
  };
}

/**
 * Candles of one symbol with its fills (▲ buy, ▼ sell) and open orders (dashed lines) drawn over them.
 * The close is the series uPlot scales and hovers; the candles are drawn by a hook.
 */
export function candleChart(el, { height = 280 } = {}) {
  let bars = { t: [], o: [], h: [], l: [], c: [] };
  let fills = [];
  let orders = [];
  const draw = (u) => {
    const ctx = u.ctx;
    const n = bars.t.length;
    const [i0, i1] = [u.series[0].idxs?.[0] ?? 0, u.series[0].idxs?.[1] ?? n - 1];
    const span = n > 1 ? (u.bbox.width / Math.max(1, i1 - i0 + 1)) : u.bbox.width / 4;
    const body = Math.max(1, Math.min(12 * devicePixelRatio, span * 0.6));
    ctx.save();
    for (let i = Math.max(0, i0); i <= Math.min(n - 1, i1); i++) {
      const x = u.valToPos(bars.t[i], "x", true);
      const [o, h, l, c] = [bars.o[i], bars.h[i], bars.l[i], bars.c[i]].map((v) => u.valToPos(v, "y", true));
      ctx.strokeStyle = ctx.fillStyle = bars.c[i] >= bars.o[i] ? css("--up") : css("--down");
      ctx.beginPath();
      ctx.moveTo(x, h);
      ctx.lineTo(x, l);
      ctx.stroke();
      ctx.fillRect(x - body / 2, Math.min(o, c), body, Math.max(1, Math.abs(c - o)));
    }
    const size = 6 * devicePixelRatio;
    for (const f of fills) {
      const x = u.valToPos(f.ts / 1000, "x", true);
      const y = u.valToPos(f.price, "y", true);
      if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
      const buy = f.side === "buy";
      ctx.fillStyle = buy ? css("--accent") : css("--warn");
      ctx.beginPath();
      ctx.moveTo(x, buy ? y - size : y + size);
      ctx.lineTo(x - size, buy ? y + size : y - size);
      ctx.lineTo(x + size, buy ? y + size : y - size);
      ctx.closePath();
      ctx.fill();
    }
    ctx.setLineDash([4 * devicePixelRatio, 4 * devicePixelRatio]);
    ctx.font = `${10 * devicePixelRatio}px monospace`;
    for (const o of orders) {
      const y = u.valToPos(o.price, "y", true);
      if (y < u.bbox.top || y > u.bbox.top + u.bbox.height) continue;
      ctx.strokeStyle = ctx.fillStyle = o.side === "buy" ? css("--accent") : css("--warn");
      ctx.beginPath();
      ctx.moveTo(u.bbox.left, y);
      ctx.lineTo(u.bbox.left + u.bbox.width, y);
      ctx.stroke();
      ctx.fillText(`${o.side} ${o.qty ?? ""} @ ${o.price}`, u.bbox.left + 4, y - 3);
    }
    ctx.restore();
  };
  const range = (_u, min, max) => {
    let lo = min;
    let hi = max;
    for (let i = 0; i < bars.t.length; i++) {
      lo = Math.min(lo, bars.l[i]);
      hi = Math.max(hi, bars.h[i]);
    }
    for (const o of orders) {
      lo = Math.min(lo, o.price);
      hi = Math.max(hi, o.price);
    }
    const pad = (hi - lo) * 0.05 || Math.abs(hi) * 0.01 || 1;
    return [lo - pad, hi + pad];
  };
  const options = {
    height,
    scales: { x: { time: true }, y: { range } },
    axes: [axis(), axis({ size: 70 })],
    series: [{}, { label: "close", stroke: "transparent", points: { show: false }, paths: () => null }],
    hooks: { draw: [draw] },
  };
  const chart = mount(el, options, [bars.t, bars.c]);
  const data = () => [bars.t, bars.c];
  return {
    /** Adds a bar, or replaces the last one when it has the same time. */
    bar(b) {
      const t = b.ts / 1000;
      const last = bars.t.length - 1;
      if (last >= 0 && t < bars.t[last]) return;
      const i = last >= 0 && bars.t[last] === t ? last : bars.t.length;
      bars.t[i] = t;
      bars.o[i] = b.open;
      bars.h[i] = b.high;
      bars.l[i] = b.low;
      bars.c[i] = b.close;
      if (bars.t.length > MAX_POINTS) {
        for (const k of Object.keys(bars)) bars[k] = bars[k].slice(-MAX_POINTS);
      }
      chart.schedule(data);
    },
    fills(list) {
      fills = list;
      chart.schedule(data);
    },
    orders(list) {
      orders = list;
      chart.schedule(data);
    },
    clear() {
      bars = { t: [], o: [], h: [], l: [], c: [] };
      fills = [];
      orders = [];
      chart.schedule(data);
    },
    get points() {
      return bars.t.length;
    },
    /** The last bar's time (epoch ms), -Infinity when empty. */
    get lastTs() {
      return bars.t.length ? bars.t[bars.t.length - 1] * 1000 : -Infinity;
    },
  };
}
