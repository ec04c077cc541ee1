/**
 * Reads a V8 `.cpuprofile` (as written by `deno run --cpu-prof`) and ranks functions by self
 * time (time spent in the function's own code) and by total time (itself plus callees).
 *
 *   deno run --allow-read bench/lib/cpu_profile.ts <file.cpuprofile> [top]
 */

interface CallFrame {
  functionName: string;
  url: string;
  lineNumber: number;
  columnNumber: number;
}

interface ProfileNode {
  id: number;
  callFrame: CallFrame;
  children?: number[];
}

/** The parts of the `.cpuprofile` JSON used here. */
export interface CpuProfile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface FunctionTime {
  /** `name (file:line)`. */
  where: string;
  selfMs: number;
  totalMs: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Time in `(idle)`: the thread waiting for I/O. */
  idleMs: number;
  functions: FunctionTime[];
  /** Self time per source file (native and V8 entries grouped under their name). */
  files: { file: string; selfMs: number }[];
}

/** A project file as `src/...` (or `bench/...`, `tests/...`, `main.ts`); other URLs as they are. */
function fileOf(frame: CallFrame): string {
  if (!frame.url) return frame.functionName || "(native)";
  return frame.url.replace(/^file:\/\/.*?\/(src|bench|tests|main\.ts)/, "$1");
}

/** `name (file:line)`, or the bare name for V8's and native entries. */
function describe(frame: CallFrame): string {
  const name = frame.functionName || "(anonymous)";
  return frame.url ? `${name} (${fileOf(frame)}:${frame.lineNumber + 1})` : name;
}

/** Self and total time per function, heaviest first. */
export function summarizeProfile(profile: CpuProfile): ProfileSummary {
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const node of profile.nodes) {
    for (const child of node.children ?? []) parent.set(child, node.id);
  }

  const self = new Map<string, number>();
  const total = new Map<string, number>();
  const files = new Map<string, number>();
  let totalUs = 0;
  let idleUs = 0;
  for (let i = 0; i < profile.samples.length; i++) {
    // Each delta is the time before sample i; attributing it to sample i is V8's convention.
    const us = Math.max(0, profile.timeDeltas[i] ?? 0);
    const node = byId.get(profile.samples[i]);
    if (!node) continue;
    totalUs += us;
    const key = describe(node.callFrame);
    if (node.callFrame.functionName === "(idle)") idleUs += us;
    self.set(key, (self.get(key) ?? 0) + us);
    const file = fileOf(node.callFrame);
    files.set(file, (files.get(file) ?? 0) + us);
    const seen = new Set<string>();
    for (let id: number | undefined = node.id; id !== undefined; id = parent.get(id)) {
      const frameKey = describe(byId.get(id)!.callFrame);
      if (seen.has(frameKey)) continue; // recursion counts once per sample
      seen.add(frameKey);
      total.set(frameKey, (total.get(frameKey) ?? 0) + us);
    }
  }
  const functions = [...self.keys()].concat([...total.keys()].filter((k) => !self.has(k)))
    .map((where) => ({
      where,
      selfMs: (self.get(where) ?? 0) / 1000,
      totalMs: (total.get(where) ?? 0) / 1000,
    }))
    .sort((a, b) => b.selfMs - a.selfMs);
  return {
    totalMs: totalUs / 1000,
    idleMs: idleUs / 1000,
    functions,
    files: [...files].map(([file, us]) => ({ file, selfMs: us / 1000 }))
      .sort((a, b) => b.selfMs - a.selfMs),
  };
}

/** The summary as text: top functions by self time, by total time, and files by self time. */
export function formatProfile(summary: ProfileSummary, top = 25): string {
  const busy = summary.totalMs - summary.idleMs;
  const pct = (ms: number) => `${(ms / busy * 100).toFixed(1).padStart(5)}%`;
  const lines = [
    `Sampled ${summary.totalMs.toFixed(0)} ms, of which ${summary.idleMs.toFixed(0)} ms idle; ` +
    `percentages are of the ${busy.toFixed(0)} ms busy.`,
    "",
    `Top ${top} by self time:`,
  ];
  const active = summary.functions.filter((f) => f.where !== "(idle)" && f.where !== "(root)");
  for (const f of active.slice(0, top)) {
    lines.push(`  ${pct(f.selfMs)} self ${pct(f.totalMs)} total  ${f.where}`);
  }
  lines.push("", `Top ${top} by total time (self + callees):`);
  for (const f of [...active].sort((a, b) => b.totalMs - a.totalMs).slice(0, top)) {
    lines.push(`  ${pct(f.totalMs)} total ${pct(f.selfMs)} self  ${f.where}`);
  }
  lines.push("", "Self time by file:");
  for (const f of summary.files.filter((f) => f.file !== "(idle)").slice(0, 15)) {
    lines.push(`  ${pct(f.selfMs)}  ${f.file}`);
  }
  return lines.join("\n");
}

if (import.meta.main) {
  const [path, top] = Deno.args;
  if (!path) {
    console.error("Usage: deno run --allow-read bench/lib/cpu_profile.ts <file.cpuprofile> [top]");
    Deno.exit(2);
  }
  const profile = JSON.parse(await Deno.readTextFile(path)) as CpuProfile;
  console.log(formatProfile(summarizeProfile(profile), Number(top ?? 25)));
}
