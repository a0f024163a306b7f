/** Decisions that depend on who reads the output: a person at a terminal, or a pipe, a file or a log. */

/** Colour only for a person: the stream is a terminal and NO_COLOR is not set (https://no-color.org). */
export function useColor(stream: { isTerminal(): boolean } = Deno.stdout): boolean {
  return stream.isTerminal() && !Deno.noColor;
}
