import assert from "node:assert/strict";
import { DataError, loadBars, parseBars, parseCsvColumns, readCsvColumns } from "../../../storage/bars/mod.ts";

/** A CSV with a BOM, CRLF line ends, blank lines, a quoted row and multi-byte text in a skipped column. */
function sample(rows: number): string {
  const lines = ["\ufeffdate,open,high,low,close,volume,note"];
  for (let i = 0; i < rows; i++) {
    const t = new Date(Date.UTC(2021, 0, 1) + i * 60_000).toISOString();
    const p = 100 + (i % 97) / 10;
    if (i % 1000 === 500) lines.push("");
    lines.push(
      i % 777 === 3 ? `${t},"${p}",${p + 1},${p - 1},${p},"1,234",ü€` : `${t},${p},${p + 1},${p - 1},${p},${i},ü€`,
    );
  }
  return lines.join("\r\n") + "\r\n";
}

async function withFile<T>(text: string, f: (path: string) => Promise<T>): Promise<T> {
  const dir = await Deno.makeTempDir();
  try {
    await Deno.writeTextFile(`${dir}/x.csv`, text);
    return await f(`${dir}/x.csv`);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

Deno.test("readCsvColumns reads in chunks exactly what parseCsvColumns reads from one string", async () => {
  const text = sample(30_000);
  const whole = parseCsvColumns(text, "x.csv");
  for (const chunkBytes of [64, 4096, 1 << 20]) {
    const chunked = await withFile(text, (p) => readCsvColumns(p, "x.csv", { chunkBytes }));
    assert.equal(chunked.length, 30_000);
    assert.deepEqual(chunked, whole, `chunks of ${chunkBytes} bytes`);
  }
});

Deno.test("readCsvColumns: an error after the first chunk names its line; an empty file is an error", async () => {
  const lines = sample(5_000).split("\r\n");
  // File line 3001 (the header is line 1): high below low.
  lines[3000] = lines[3000].replace(/^([^,]+),([^,]+),([^,]+),/, "$1,$2,1,");
  const text = lines.join("\r\n");
  const err = await withFile(text, (p) => readCsvColumns(p, "x.csv", { chunkBytes: 1000 })).catch((e) => e);
  assert.ok(err instanceof DataError, String(err));
  assert.throws(() => parseCsvColumns(text, "x.csv"), (e) => e instanceof DataError && e.line === err.line);
  assert.equal(err.line, 3001);
  assert.equal(err.column, "high");
  for (const empty of ["", "\r\n\r\n", "\ufeff"]) {
    await assert.rejects(() => withFile(empty, (p) => readCsvColumns(p, "x.csv", { chunkBytes: 2 })), /file is empty/);
  }
  await assert.rejects(() => withFile("date,open,high,low,close\n", (p) => readCsvColumns(p, "x.csv")), /no bars/);
});

Deno.test("loadBars of a .csv file streams it and gives what parseBars gives", async () => {
  const text = sample(3_000);
  const loaded = await withFile(text, (p) => loadBars(p));
  assert.deepEqual(loaded, parseBars(text, "x.csv"));
});
