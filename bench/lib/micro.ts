/** Runs the `deno bench` micro benchmarks in bench/micro/ and reads their `--json` report. */

const MICRO_DIR = new URL("../micro/", import.meta.url).pathname;

export interface MicroResult {
  /** File name without `.bench.ts`. */
  file: string;
  group: string;
  name: string;
  /** Nanoseconds per iteration. */
  avgNs: number;
  p75Ns: number;
  p99Ns: number;
  /** Set instead of the figures when the benchmark threw. */
  error?: string;
}

interface BenchJson {
  benches: {
    origin: string;
    group: string | null;
    name: string;
    results: ({ ok: { avg: number; p75: number; p99: number } } | { failed: unknown })[];
  }[];
}

/** Runs every `*.bench.ts` in bench/micro/ in one `deno bench` process. */
export async function runMicro(): Promise<MicroResult[]> {
  const { code, stdout, stderr } = await new Deno.Command(Deno.execPath(), {
    args: ["bench", "--allow-all", "--json", MICRO_DIR],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = new TextDecoder().decode(stdout);
  let report: BenchJson;
  try {
    report = JSON.parse(text.slice(text.indexOf("{")));
  } catch {
    throw new Error(
      `deno bench exited with ${code} and no JSON report:\n${new TextDecoder().decode(stderr)}`,
    );
  }
  return report.benches.map((bench) => {
    const file = bench.origin.slice(bench.origin.lastIndexOf("/") + 1).replace(/\.bench\.ts$/, "");
    const result = bench.results[0];
    const base = { file, group: bench.group ?? "", name: bench.name };
    if (result && "ok" in result) {
      return { ...base, avgNs: result.ok.avg, p75Ns: result.ok.p75, p99Ns: result.ok.p99 };
    }
    const error = result && "failed" in result ? JSON.stringify(result.failed) : "no result";
    return { ...base, avgNs: NaN, p75Ns: NaN, p99Ns: NaN, error };
  });
}

/** `123.4 ns`, `5.6 µs`, `7.8 ms`. */
export function formatNs(ns: number): string {
  if (!Number.isFinite(ns)) return "-";
  if (ns < 1_000) return `${ns.toFixed(1)} ns`;
  if (ns < 1_000_000) return `${(ns / 1_000).toFixed(2)} µs`;
  return `${(ns / 1_000_000).toFixed(2)} ms`;
}

export const MICRO_HEADERS = ["group", "benchmark", "avg", "p75", "p99", "per second"];

export function microRows(results: MicroResult[]): string[][] {
  return results.map((r) => [
    r.group,
    r.name,
    r.error ? `failed: ${r.error}` : formatNs(r.avgNs),
    formatNs(r.p75Ns),
    formatNs(r.p99Ns),
    Number.isFinite(r.avgNs) ? Math.round(1e9 / r.avgNs).toLocaleString("en-US") : "-",
  ]);
}
