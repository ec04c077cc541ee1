/**
 * Runs the real redis-benchmark against one server and reads its `--csv` report.
 *
 * redis-benchmark 7.0 prints one header line and one line per test, every field quoted:
 * `"test","rps","avg_latency_ms","min_latency_ms","p50_latency_ms","p95_latency_ms",
 * "p99_latency_ms","max_latency_ms"`. Columns are looked up by name, so a build without the
 * latency columns still yields ops/s (latencies then come out as NaN).
 */
import { runTool } from "../../tests/helpers/run_tool.ts";

/** One test's result line. Latencies are in milliseconds. */
export interface BenchmarkRow {
  /** The name redis-benchmark prints, e.g. `SET` or `MSET (10 keys)`. */
  test: string;
  opsPerSec: number;
  p50Ms: number;
  p99Ms: number;
}

/** One redis-benchmark invocation. */
export interface BenchmarkRun {
  port: number;
  /** `-t` test names, lower case (`set`, `ping_inline`, `mset`). */
  tests: string[];
  /** A custom command to run instead of `tests` (redis-benchmark's trailing arguments). */
  command?: string[];
  clients: number;
  pipeline: number;
  requests: number;
  /** `-r`: random keys drawn from this many. */
  keyspace: number;
  timeoutMs: number;
  /** `--dbnum`: the database each connection selects (a partition's id works too). */
  dbnum?: number;
  /** More redis-benchmark options (`--tls --cacert ...`). */
  extraArgs?: string[];
}

/** Splits one CSV line of quoted fields (quotes doubled inside a field). */
function csvFields(line: string): string[] {
  const fields: string[] = [];
  let i = 0;
  while (i <= line.length) {
    if (line[i] === '"') {
      let value = "";
      i++;
      while (i < line.length) {
        if (line[i] === '"' && line[i + 1] === '"') {
          value += '"';
          i += 2;
        } else if (line[i] === '"') {
          i++;
          break;
        } else {
          value += line[i++];
        }
      }
      fields.push(value);
      i++; // the comma
    } else {
      const comma = line.indexOf(",", i);
      const end = comma < 0 ? line.length : comma;
      fields.push(line.slice(i, end));
      i = end + 1;
    }
  }
  return fields;
}

/** Parses redis-benchmark `--csv` output; progress lines redrawn with `\r` are ignored. */
export function parseBenchmarkCsv(output: string): BenchmarkRow[] {
  const lines = output.split("\n")
    .map((line) => line.slice(line.lastIndexOf("\r") + 1).trim())
    .filter((line) => line.startsWith('"'));
  const headerAt = lines.findIndex((line) => line.startsWith('"test"'));
  if (headerAt < 0) throw new Error(`Cannot find the CSV header in:\n${output}`);
  const header = csvFields(lines[headerAt]);
  const column = (name: string) => header.indexOf(name);
  const [test, rps, p50, p99] = ["test", "rps", "p50_latency_ms", "p99_latency_ms"].map(column);
  if (rps < 0) throw new Error(`Cannot find the rps column in: ${lines[headerAt]}`);
  const number = (fields: string[], at: number) => at < 0 ? NaN : Number(fields[at]);
  return lines.slice(headerAt + 1).map((line) => {
    const fields = csvFields(line);
    return {
      test: fields[test],
      opsPerSec: number(fields, rps),
      p50Ms: number(fields, p50),
      p99Ms: number(fields, p99),
    };
  });
}

/** Runs redis-benchmark once; throws with its output when it fails or reports an error. */
export async function runRedisBenchmark(run: BenchmarkRun): Promise<BenchmarkRow[]> {
  const args = [
    ...["-h", "127.0.0.1", "-p", String(run.port)],
    ...["-c", String(run.clients), "-P", String(run.pipeline), "-n", String(run.requests)],
    ...["-r", String(run.keyspace), "--csv"],
    ...(run.dbnum === undefined ? [] : ["--dbnum", String(run.dbnum)]),
    ...(run.extraArgs ?? []),
    // A custom command goes last: redis-benchmark reads it after every option.
    ...(run.command === undefined ? ["-t", run.tests.join(",")] : run.command),
  ];
  const result = await runTool("redis-benchmark", args, { timeoutMs: run.timeoutMs });
  const problem = result.code !== 0
    ? `exit code ${result.code}`
    : /error|warning/i.test(result.stdout + result.stderr)
    ? "it reported an error"
    : null;
  if (problem) {
    throw new Error(
      `redis-benchmark ${args.join(" ")} failed: ${problem}\n${result.stdout}${result.stderr}`,
    );
  }
  return parseBenchmarkCsv(result.stdout);
}
