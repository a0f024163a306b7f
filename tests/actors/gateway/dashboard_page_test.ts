/** The dashboard page as served: one inline script allowed by its hash alone, its modules bundled, no CDN. */
import assert from "node:assert/strict";
import { bundle } from "../../../actors/gateway/dashboard/bundle.ts";
import { startHarness } from "./harness.ts";

const modules = (files: Record<string, string>) => (url: URL) => {
  const name = url.pathname.split("/").pop()!;
  const text = files[name];
  return text === undefined ? Promise.reject(new Error(`no ${name}`)) : Promise.resolve(text);
};

Deno.test("dashboard bundle: imports first, each module once, exports read by name, names kept apart", async () => {
  const script = await bundle(
    new URL("file:///x/main.js"),
    modules({
      "main.js": 'import { twice } from "./b.js";\nimport { one } from "./a.js";\nglobalThis.out = twice(one);\n',
      "a.js": "const hidden = 1;\nexport const one = hidden;\n",
      "b.js":
        'import { one } from "./a.js";\nconst hidden = 2;\nexport function twice(x) {\n  return x * hidden + one - 1;\n}\n',
    }),
  );
  assert.equal(script.match(/\$module_a = /g)?.length, 1, "a.js is bundled once");
  assert.ok(script.indexOf("$module_a =") < script.indexOf("$module_b ="), "a.js comes before what imports it");
  const scope: { out?: number } = {};
  new Function("globalThis", script)(scope);
  assert.equal(scope.out, 2, "each module's own `hidden`, and the imports resolved");
});

Deno.test("dashboard bundle: a cycle or a default export is refused, naming the module", async () => {
  await assert.rejects(
    bundle(
      new URL("file:///x/a.js"),
      modules({ "a.js": 'import { b } from "./b.js";\nexport const a = 1;', "b.js": 'import { a } from "./a.js";' }),
    ),
    /import cycle through a\.js/,
  );
  await assert.rejects(
    bundle(new URL("file:///x/a.js"), modules({ "a.js": "export default 1;" })),
    /a\.js has module syntax this bundler does not read/,
  );
});

Deno.test("dashboard page: only its own script runs (CSP hash), uPlot inlined, the limit rules as data", async () => {
  const h = await startHarness();
  try {
    const page = await fetch(`${h.url}/`);
    const csp = page.headers.get("content-security-policy")!;
    const html = await page.text();
    assert.doesNotMatch(csp, /script-src[^;]*unsafe-inline/, "no inline script runs but the page's own");
    const script = html.slice(html.indexOf("<script>") + 8, html.indexOf("</script>", html.indexOf("<script>")));
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(script));
    const hash = `'sha256-${btoa(String.fromCharCode(...new Uint8Array(digest)))}'`;
    assert.match(csp, new RegExp(`script-src ${hash.replace(/[+/]/g, "\\$&")};`), "the CSP names the script's hash");
    assert.doesNotMatch(html, /<script src=|<link [^>]*href=|https?:\/\/(?!github\.com\/leeoniya)/, "no CDN");
    assert.match(script, /uPlot/);
    assert.doesNotThrow(() => new Function(script), "the script parses");
    const meta = JSON.parse(/<script type="application\/json" id="meta">([\s\S]*?)<\/script>/.exec(html)![1]);
    assert.deepEqual(Object.keys(meta.limits).sort(), ["account", "strategy"]);
    assert.match(meta.limits.account.maxDrawdown.text, /a number/);
    assert.equal(meta.features.logs, false, "this endpoint keeps no log");
  } finally {
    await h.close();
  }
});
