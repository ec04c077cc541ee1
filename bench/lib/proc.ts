/** Process and machine figures read from Linux's /proc. */

/** A `kB` field of /proc/<pid>/status (VmRSS, VmHWM, ...) in bytes; NaN when unreadable. */
export function procStatusBytes(pid: number, field: "VmRSS" | "VmHWM"): number {
  try {
    const text = Deno.readTextFileSync(`/proc/${pid}/status`);
    const match = new RegExp(`^${field}:\\s+(\\d+) kB$`, "m").exec(text);
    return match ? Number(match[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** The resident set size of process `pid` in bytes (VmRSS). */
export function rssBytes(pid: number): number {
  return procStatusBytes(pid, "VmRSS");
}

/** Clock ticks per second of /proc/<pid>/stat's times (USER_HZ: 100 on Linux). */
const USER_HZ = 100;

/**
 * CPU seconds (user + system, every thread) process `pid` has used so far; NaN when unreadable.
 * In 1/100 s steps: read over a few seconds of load, it tells CPU per request to about 1%.
 */
export function cpuSeconds(pid: number): number {
  try {
    const text = Deno.readTextFileSync(`/proc/${pid}/stat`);
    // Fields after the command name (which may hold spaces): state is the first, utime the 12th.
    const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
    return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
  } catch {
    return NaN;
  }
}

/** The CPU model from /proc/cpuinfo, or `unknown`. */
export function cpuModel(): string {
  try {
    const text = Deno.readTextFileSync("/proc/cpuinfo");
    return /^model name\s*:\s*(.+)$/m.exec(text)?.[1].trim() ?? "unknown";
  } catch {
    return "unknown";
  }
}
