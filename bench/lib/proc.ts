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

/** The CPU model from /proc/cpuinfo, or `unknown`. */
export function cpuModel(): string {
  try {
    const text = Deno.readTextFileSync("/proc/cpuinfo");
    return /^model name\s*:\s*(.+)$/m.exec(text)?.[1].trim() ?? "unknown";
  } catch {
    return "unknown";
  }
}
