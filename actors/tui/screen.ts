/**
 * Drawing without flicker: the screen is never cleared between frames. Only the lines that changed since the last
 * frame are rewritten, each by moving the cursor to it and overwriting it (then erasing what is left of the old
 * line). A new size clears once, as the terminal has reflowed the old frame anyway.
 */
import { width as visible } from "./text.ts";

export const ENTER = "\x1b[?1049h\x1b[?25l\x1b[H\x1b[2J"; // alternate screen, cursor hidden, cleared once
export const LEAVE = "\x1b[0m\x1b[?25h\x1b[?1049l";

export interface Painter {
  /** The bytes that turn the last frame into this one ("" when nothing changed). */
  frame(lines: readonly string[], width: number, height: number): string;
}

export function createPainter(): Painter {
  let last: readonly string[] = [];
  let size = "";
  return {
    frame(lines, width, height) {
      let out = "";
      if (`${width}x${height}` !== size) {
        size = `${width}x${height}`;
        last = [];
        out += "\x1b[H\x1b[2J";
      }
      for (let i = 0; i < height; i++) {
        const line = lines[i] ?? "";
        if (line === last[i]) continue;
        // Erase the rest only when the line is short: at the last column the cursor waits to wrap, and an erase
        // there would take the line's last character with it.
        out += `\x1b[${i + 1};1H\x1b[0m${line}\x1b[0m${visible(line) < width ? "\x1b[K" : ""}`;
      }
      last = lines.slice(0, height);
      return out;
    },
  };
}
