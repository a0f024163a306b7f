/**
 * CPU seconds of this process's threads by kind, from Linux's /proc/self/task: the main thread ("deno"), V8's
 * background pool ("V8 DefaultWorke…": concurrent JIT compilation and GC, shared by every isolate), and the rest
 * (Web Workers run on "worker-N" threads, which leave the list when they end: counted as the process total less
 * the two). Explains a ratio of wall times: who used the cores. Undefined where /proc is not there.
 */
export interface ThreadCpu {
  readonly main: number;
  readonly v8: number;
}

/** Clock ticks per second of /proc's utime and stime (USER_HZ, 100 on Linux). */
const HZ = 100;

export function threadCpu(): ThreadCpu | undefined {
  try {
    let main = 0, v8 = 0;
    const pid = String(Deno.pid);
    for (const task of Deno.readDirSync("/proc/self/task")) {
      const comm = Deno.readTextFileSync(`/proc/self/task/${task.name}/comm`).trim();
      const stat = Deno.readTextFileSync(`/proc/self/task/${task.name}/stat`);
      // Fields after the ")" closing the name: state is the 1st, utime the 12th, stime the 13th.
      const f = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
      const s = (Number(f[11]) + Number(f[12])) / HZ;
      if (task.name === pid) main += s;
      else if (comm.startsWith("V8 ")) v8 += s;
    }
    return { main, v8 };
  } catch {
    return undefined;
  }
}
