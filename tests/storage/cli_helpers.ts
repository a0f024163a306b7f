/** Runs `cli/data.ts` as a real subprocess, as a user would, capturing its output. */
import { fileURLToPath as fromFileUrl } from "node:url";

export const CLI = fromFileUrl(new URL("../../cli/data.ts", import.meta.url));
export const SHARED_DATA = fromFileUrl(new URL("../../../shared/data", import.meta.url));

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

export function dataCommand(args: string[]): Deno.Command {
  return new Deno.Command(Deno.execPath(), {
    args: ["run", "-A", CLI, ...args],
    env: { NO_COLOR: "1" },
    stdout: "piped",
    stderr: "piped",
  });
}

export async function runCli(args: string[]): Promise<CliResult> {
  const { code, stdout, stderr } = await dataCommand(args).output();
  const text = (b: Uint8Array) => new TextDecoder().decode(b);
  return { code, stdout: text(stdout), stderr: text(stderr) };
}
