// deno-lint-ignore-file no-control-regex -- these tests read the escape codes the screen is made of
import assert from "node:assert/strict";
import { createPainter } from "../../../actors/tui/screen.ts";
import { COLOR, cut, fit, highlight, PLAIN, RESET, strip, styleFor, width } from "../../../actors/tui/text.ts";
import { reversed } from "./sgr.ts";

Deno.test("tui screen: frames after the first rewrite only changed lines and never clear the screen", () => {
  const painter = createPainter();
  const first = painter.frame(["aaaa", "bbbb", "cccc"], 4, 3);
  assert.match(first, /\x1b\[2J/, "the first frame clears once");
  assert.equal(painter.frame(["aaaa", "bbbb", "cccc"], 4, 3), "", "nothing changed, nothing written");
  const second = painter.frame(["aaaa", "bXbb", "cc"], 4, 3);
  assert.doesNotMatch(second, /\x1b\[2J|\x1b\[J/, "no clear between frames: no flicker");
  assert.doesNotMatch(second, /aaaa/, "an unchanged line is not rewritten");
  assert.match(second, /\x1b\[2;1H\x1b\[0mbXbb\x1b\[0m(?!\x1b\[K)/, "a full-width line is overwritten in place");
  assert.match(second, /\x1b\[3;1H\x1b\[0mcc\x1b\[0m\x1b\[K/, "a shorter line erases what is left of the old one");
  assert.match(painter.frame(["aaaa", "bXbb", "cc"], 5, 3), /\x1b\[2J/, "a new size clears once");
});

Deno.test("tui text: widths ignore escape codes; cut and fit keep colours closed", () => {
  const green = COLOR.green("+1,234.50");
  assert.equal(width(green), 9);
  assert.equal(fit(green, 12, true), `   ${green}`);
  const cutText = cut(`ab${green}cd`, 6);
  assert.equal(strip(cutText), "ab+1,…");
  assert.ok(cutText.endsWith(RESET), "a cut inside a colour closes it");
  assert.equal(cut("abc", 3), "abc");
  assert.equal(cut("abcd", 0), "");
});

Deno.test("tui text: the highlight covers the padded row and survives the resets inside it", () => {
  const row = `x ${COLOR.red("-1.00")} y ${COLOR.green("+2.00")} z`;
  const naive = COLOR.inverse(row);
  assert.ok(!reversed(naive).every(Boolean), "reverse around the row alone stops at the first reset");
  const line = highlight(COLOR, row, 30);
  assert.equal(width(line), 30);
  assert.ok(reversed(line).every(Boolean));
  assert.equal(highlight(PLAIN, "abc", 5), "abc  ");
});

Deno.test("tui text: colour only on a terminal and without NO_COLOR", () => {
  assert.equal(styleFor(true, undefined), COLOR);
  assert.equal(styleFor(true, ""), COLOR, "an empty NO_COLOR does not count (no-color.org)");
  assert.equal(styleFor(true, "1"), PLAIN);
  assert.equal(styleFor(false, undefined), PLAIN);
});
