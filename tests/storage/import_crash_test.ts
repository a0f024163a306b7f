/**
 * `kill -9` during a large import loses nothing reported as committed, and running the import again completes it
 * without duplicates.
 */
import assert from "node:assert/strict";
import { join } from "node:path";
import { openDatabase } from "../../storage/db.ts";
import { countCandles, listGaps } from "../../storage/market/candles.ts";
import { dataCommand, runCli } from "./cli_helpers.ts";

const TOTAL = 300_000;
const KEY = { venue: "local", symbol: "BIG/USDT", timeframe: "1m" } as const;

async function stored(dataDir: string): Promise<{ count: number; gaps: number }> {
  const database = await openDatabase({ dataDir });
  try {
    return { count: await countCandles(database.db, KEY), gaps: (await listGaps(database.db, KEY)).length };
  } finally {
    await database.close();
  }
}

Deno.test("data import: SIGKILL mid-import keeps every reported commit; a re-run completes it without duplicates", async () => {
  const dir = await Deno.makeTempDir({ prefix: "ta_crash_" });
  try {
    const file = join(dir, "BIG_USDT-1m.json");
    const t0 = Date.UTC(2020, 0, 1);
    const rows = Array.from(
      { length: TOTAL },
      (_, i) => `[${t0 + i * 60_000},${100 + i % 7},${108},${99},${101},${i}]`,
    );
    await Deno.writeTextFile(file, `[${rows.join(",")}]`);

    const child = dataCommand(["import", file, "--data-dir", dir, "--batch", "5000"]).spawn();
    child.stdout.cancel();
    let reported = 0;
    for await (const chunk of child.stderr.pipeThrough(new TextDecoderStream())) {
      const counts = [...chunk.matchAll(/(\d+)\/\d+ candles committed/g)];
      if (counts.length === 0) continue;
      reported = Number(counts[counts.length - 1][1]);
      // Kill after a few commits, while most of the file is still to go.
      if (reported >= 15_000) {
        child.kill("SIGKILL");
        break;
      }
    }
    const status = await child.status;
    assert.equal(status.signal, "SIGKILL");
    assert.ok(reported >= 15_000);

    const afterKill = await stored(dir);
    assert.ok(afterKill.count >= reported, `${afterKill.count} stored < ${reported} reported committed`);
    assert.ok(afterKill.count < TOTAL, "the import finished before the kill: the test proved nothing");
    assert.equal(afterKill.count % 5000, 0, "a partial batch was committed");
    assert.equal(afterKill.gaps, 0);

    const rerun = await runCli(["import", file, "--data-dir", dir, "--batch", "5000"]);
    assert.equal(rerun.code, 0, rerun.stderr);
    assert.deepEqual(await stored(dir), { count: TOTAL, gaps: 0 });
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
});
