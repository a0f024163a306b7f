/**
 * equity.csv written on a second thread (report/equity_file.ts): byte for byte the file the main thread writes, for
 * curves that try to break the number and time writers; errors as the OS's classes; the fallback when the Worker
 * cannot start; nothing written when the run fails before its curve.
 */
import assert from "node:assert/strict";
import { drawdownSeries, startEquityCsv, writeEquityCsv } from "../../../backtest/report/mod.ts";
import { isOsError } from "../../../cli/args.ts";
import { seededRandom } from "../../../actors/runtime/random.ts";

const NASTY = [0, -0, NaN, Infinity, -Infinity, 1e-300, -5e-324, 1.7976931348623157e308, 0.1 + 0.2, 1e21, 123456.789];
/** Times a Date can hold (±8.64e15 ms), its ends, fractions of a millisecond, and none (NaN). */
const NASTY_TIMES = [NaN, 0, -0, -8.64e15, 8.64e15, 1_600_000_000_000.5, -1];

/** A curve of `n` points: mostly a random walk, with the values above sprinkled in (seeded). */
function curve(n: number, seed: number): { ts: Float64Array; equity: Float64Array } {
  const random = seededRandom(seed);
  const ts = new Float64Array(n), equity = new Float64Array(n);
  let e = 10_000;
  for (let i = 0; i < n; i++) {
    ts[i] = random() < 0.01 ? NASTY_TIMES[Math.floor(random() * NASTY_TIMES.length)] : 1_600_000_000_000 + i * 60_000;
    e *= 1 + (random() - 0.5) * 0.01;
    equity[i] = random() < 0.05 ? NASTY[Math.floor(random() * NASTY.length)] : e;
  }
  return { ts, equity };
}

async function inlineBytes(dir: string, ts: Float64Array, equity: Float64Array): Promise<Uint8Array> {
  await writeEquityCsv(`${dir}/inline.csv`, ts, equity, drawdownSeries(equity));
  return await Deno.readFile(`${dir}/inline.csv`);
}

Deno.test("equity file: the Worker writes the same bytes as the main thread, for random curves with odd values", async () => {
  const dir = await Deno.makeTempDir({ prefix: "equity_file_" });
  try {
    for (const [n, seed] of [[0, 1], [1, 2], [7, 3], [5_000, 4], [70_000, 5]]) {
      const { ts, equity } = curve(n, seed);
      // Into a directory that does not exist yet: the writer makes it, as writeReport does for the other files.
      const path = `${dir}/out${seed}/equity.csv`;
      const writer = startEquityCsv(path);
      writer.write(ts, equity);
      await writer.written;
      writer.close();
      assert.deepEqual(await Deno.readFile(path), await inlineBytes(dir, ts, equity), `n=${n} seed=${seed}`);
    }
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("equity file: a Worker that cannot start leaves the file to the main thread, same bytes", async () => {
  const dir = await Deno.makeTempDir({ prefix: "equity_file_" });
  try {
    const { ts, equity } = curve(3_000, 9);
    const missing = new URL(`file://${dir}/no_such_worker.ts`);
    // Before and after the Worker's failure is known: both end in the main thread's file.
    const early = startEquityCsv(`${dir}/early.csv`, missing);
    early.write(ts, equity);
    await early.written;
    const late = startEquityCsv(`${dir}/late.csv`, missing);
    await new Promise((resolve) => setTimeout(resolve, 200));
    late.write(ts, equity);
    await late.written;
    const expected = await inlineBytes(dir, ts, equity);
    assert.deepEqual(await Deno.readFile(`${dir}/early.csv`), expected);
    assert.deepEqual(await Deno.readFile(`${dir}/late.csv`), expected);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("equity file: an unwritable path rejects with the OS error's class and names the path", async () => {
  const dir = await Deno.makeTempDir({ prefix: "equity_file_" });
  try {
    await Deno.writeTextFile(`${dir}/a_file`, "not a directory");
    const writer = startEquityCsv(`${dir}/a_file/equity.csv`);
    writer.write(new Float64Array([1]), new Float64Array([100]));
    const err = await writer.written.then(() => undefined, (e) => e);
    writer.close();
    assert.ok(isOsError(err), `an OS error, got ${err}`);
    assert.match(err.message, /a_file/);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("equity file: closed without a curve (the run failed), nothing is written and the old file stays", async () => {
  const dir = await Deno.makeTempDir({ prefix: "equity_file_" });
  try {
    await Deno.writeTextFile(`${dir}/equity.csv`, "the last run's file\n");
    const writer = startEquityCsv(`${dir}/equity.csv`);
    await new Promise((resolve) => setTimeout(resolve, 100)); // the Worker is up and waiting
    writer.close();
    await writer.written;
    writer.write(new Float64Array([1]), new Float64Array([100])); // too late: ignored
    await new Promise((resolve) => setTimeout(resolve, 100));
    assert.equal(await Deno.readTextFile(`${dir}/equity.csv`), "the last run's file\n");
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
