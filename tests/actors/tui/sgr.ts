/** Reads SGR escape codes as a terminal does: for each visible character, whether it is drawn in reverse video. */
export function reversed(line: string): boolean[] {
  const out: boolean[] = [];
  let on = false;
  // deno-lint-ignore no-control-regex
  for (const part of line.split(/(\x1b\[[0-9;:]*[A-Za-z])/)) {
    if (part.startsWith("\x1b[")) {
      if (!part.endsWith("m")) continue;
      const params = part.slice(2, -1).split(/[;:]/).map((p) => (p === "" ? 0 : Number(p)));
      for (const p of params) {
        if (p === 0) on = false;
        else if (p === 7) on = true;
        else if (p === 27) on = false;
      }
      continue;
    }
    for (const _ of part) out.push(on);
  }
  return out;
}
