/**
 * equity.csv files written on a second thread (report/equity_file.ts): byte for byte the files the main thread writes,
 * for curves that try to break the number and time writers, whoever (Worker or main thread) writes each; the Worker
 * going on while the main thread is busy; errors as the OS's classes; the fallback when the Worker cannot start;
 * nothing written when the run fails before its curves.
 */
import assert from "node:assert/strict";
import {
  computeStats,
  createEquityCsvWriter,
  drawdownSeries,
  writeEquityCsv,
  writeReport,
} from "../../../backtest/report/mod.ts";
import { loadFixture, toInput } from "./fixtures.ts";
import { isOsError } from "../../../cli/args.ts";
import { seededRandom } from "../../../actors/runtime/random.ts";

const NASTY = [0, -0, NaN, Infinity, -Infinity, 1e-300, -5e-324, 1.7976931348623157e308, 0.1 + 0.2, 1e21, 123456.789];
/** Times a Date can hold (±8.64e15 ms), its ends, fractions of a millisecond, and none (NaN). */
const NASTY_TIMES = [NaN, 0, -0, -8.64e15, 8.64e15, 1_600_000_000_000.5, -1];

/** A curve of `n` points: mostly a random walk, with the values above sprinkled in (seeded). */
function curve(n: number, seed: number, shared = false): { ts: Float64Array; equity: Float64Array } {
  const random = seededRandom(seed);
  const column = () => shared ? new Float64Array(new SharedArrayBuffer(n * 8)) : new Float64Array(n);
  const ts = column(), equity = column();
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

async function withDir(f: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "equity_file_" });
  try {
    await f(dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("equity file: every queued file is the main thread's bytes, shared columns or not, whoever wrote it", async () => {
  await withDir(async (dir) => {
    const curves = [[0, 1], [1, 2], [7, 3], [5_000, 4], [70_000, 5], [120_000, 6], [3, 7]].map(([n, seed]) =>
      curve(n, seed, seed % 2 === 0)
    );
    const writer = createEquityCsvWriter();
    assert.equal(await writer.started, true);
    // Into directories that do not exist yet: the writer makes them, as writeReport does for the other files.
    curves.forEach(({ ts, equity }, i) => writer.write(`${dir}/run/s${i}/equity.csv`, ts, equity));
    writer.write(`${dir}/run/s0/equity.csv`, curves[4].ts, curves[4].equity); // a path queued twice: the first counts
    await writer.help(); // this thread takes what the Worker has not started
    writer.close();
    for (const [i, { ts, equity }] of curves.entries()) {
      await writer.written(`${dir}/run/s${i}/equity.csv`);
      assert.deepEqual(await Deno.readFile(`${dir}/run/s${i}/equity.csv`), await inlineBytes(dir, ts, equity), `#${i}`);
    }
    assert.equal(writer.written(`${dir}/run/never/equity.csv`), undefined);
  });
});

Deno.test("equity file: the Worker goes from file to file while this thread is busy (no turn of its event loop)", async () => {
  await withDir(async (dir) => {
    const curves = [curve(50_000, 11, true), curve(40_000, 12), curve(30_000, 13, true)];
    const expected: Uint8Array[] = [];
    for (const { ts, equity } of curves) expected.push(await inlineBytes(dir, ts, equity));
    const writer = createEquityCsvWriter();
    assert.equal(await writer.started, true);
    curves.forEach(({ ts, equity }, i) => writer.write(`${dir}/busy${i}.csv`, ts, equity));
    // Spin without yielding (as the statistics do) until every file is complete, with a generous bound for slow CI.
    const sizeOf = (i: number) => {
      try {
        return Deno.statSync(`${dir}/busy${i}.csv`).size;
      } catch {
        return 0; // not created yet
      }
    };
    const complete = () => curves.every((_, i) => sizeOf(i) === expected[i].length);
    const until = Date.now() + 60_000;
    while (!complete() && Date.now() < until) { /* this thread stays busy */ }
    assert.ok(complete(), "the Worker wrote all three files while this thread never yielded");
    await writer.help();
    writer.close();
    for (let i = 0; i < curves.length; i++) assert.deepEqual(await Deno.readFile(`${dir}/busy${i}.csv`), expected[i]);
  });
});

Deno.test("equity file: the Worker takes one file at a time; this thread helps with those still waiting", async () => {
  await withDir(async (dir) => {
    const curves = [0, 1, 2, 3].map((i) => curve(300_000, 20 + i, true));
    const writer = createEquityCsvWriter();
    assert.equal(await writer.started, true);
    curves.forEach(({ ts, equity }, i) => writer.write(`${dir}/f${i}.csv`, ts, equity));
    // Once the Worker has begun the first file, the others are still unclaimed: this thread can take some.
    for (;;) {
      try {
        await Deno.stat(`${dir}/f0.csv`);
        break;
      } catch {
        await new Promise((resolve) => setTimeout(resolve, 1));
      }
    }
    await writer.help();
    writer.close();
    const shares = writer.shares();
    assert.equal(shares.worker + shares.here, 4, JSON.stringify(shares));
    assert.ok(shares.worker >= 1 && shares.here >= 1, `both threads wrote: ${JSON.stringify(shares)}`);
    for (const [i, { ts, equity }] of curves.entries()) {
      assert.deepEqual(await Deno.readFile(`${dir}/f${i}.csv`), await inlineBytes(dir, ts, equity), `f${i}`);
    }
  });
});

Deno.test("equity file: a Worker that cannot start leaves the files to this thread, same bytes", async () => {
  await withDir(async (dir) => {
    const { ts, equity } = curve(3_000, 9);
    const missing = new URL(`file://${dir}/no_such_worker.ts`);
    // Queued before the Worker's failure is known, and after: both end in this thread's files.
    const writer = createEquityCsvWriter(missing);
    writer.write(`${dir}/early.csv`, ts, equity);
    assert.equal(await writer.started, false);
    writer.write(`${dir}/late.csv`, ts, equity);
    await writer.help();
    writer.close();
    assert.deepEqual(writer.shares(), { worker: 0, here: 2 });
    const expected = await inlineBytes(dir, ts, equity);
    assert.deepEqual(await Deno.readFile(`${dir}/early.csv`), expected);
    assert.deepEqual(await Deno.readFile(`${dir}/late.csv`), expected);
  });
});

Deno.test("equity file: an unwritable path rejects with the OS error's class and names the path", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/a_file`, "not a directory");
    const writer = createEquityCsvWriter();
    await writer.started;
    writer.write(`${dir}/a_file/equity.csv`, new Float64Array([1]), new Float64Array([100]));
    const err = await writer.written(`${dir}/a_file/equity.csv`)!.then(() => undefined, (e) => e);
    writer.close();
    assert.ok(isOsError(err), `an OS error, got ${err}`);
    assert.match(err.message, /a_file/);
  });
});

Deno.test("equity file: closed before any curve (the run failed), nothing is written and the old file stays", async () => {
  await withDir(async (dir) => {
    await Deno.writeTextFile(`${dir}/equity.csv`, "the last run's file\n");
    const writer = createEquityCsvWriter();
    await writer.started;
    writer.close();
    writer.write(`${dir}/equity.csv`, new Float64Array([1]), new Float64Array([100])); // too late: ignored
    assert.equal(writer.written(`${dir}/equity.csv`), undefined);
    await writer.help();
    assert.equal(await Deno.readTextFile(`${dir}/equity.csv`), "the last run's file\n");
  });
});

Deno.test("equity file: writeReport with the writer gives the same files as without, even with the writer closed", async () => {
  await withDir(async (dir) => {
    const fx = loadFixture("goog_commission");
    const input = toInput(fx);
    const report = computeStats(input, { warmupBars: fx.config.warmupBars });
    await writeReport(`${dir}/plain`, report, input);
    const writer = createEquityCsvWriter();
    await writeReport(`${dir}/threaded`, report, input, undefined, undefined, { equityCsv: writer });
    writer.close();
    const closed = createEquityCsvWriter();
    closed.close(); // a file it can no longer take is written by writeReport itself, not skipped
    await writeReport(`${dir}/closed`, report, input, undefined, undefined, { equityCsv: closed });
    const expected = await Deno.readFile(`${dir}/plain/equity.csv`);
    assert.ok(expected.length > 1000);
    assert.deepEqual(await Deno.readFile(`${dir}/threaded/equity.csv`), expected);
    assert.deepEqual(await Deno.readFile(`${dir}/closed/equity.csv`), expected);
  });
});
