/**
 * The options every side-by-side redis-benchmark script takes (durable_set.ts, partitions.ts):
 * how many rounds, requests per run and clients, `--baseline <git ref>` (Hermes as that commit
 * has it, run beside this tree's), plus the script's own switches.
 */
import { parseArgs } from "node:util";

export interface SideBySideArgs {
  rounds: number;
  requests: number;
  clients: number;
  /** The script's own boolean switches, by name. */
  switches: Record<string, boolean>;
  /** A git ref whose Hermes runs beside this tree's (see bench/lib/baseline.ts), or null. */
  baseline: string | null;
}

/** Parses `--rounds 3 --requests 100000 --clients 50` and the `switches` named. */
export function sideBySideArgs(args: string[], switches: string[] = []): SideBySideArgs {
  const { values } = parseArgs({
    args,
    options: {
      rounds: { type: "string", default: "3" },
      requests: { type: "string", default: "100000" },
      clients: { type: "string", default: "50" },
      baseline: { type: "string" },
      ...Object.fromEntries(switches.map((name) => [name, { type: "boolean", default: false }])),
    },
  });
  const read = values as Record<string, string | boolean>;
  return {
    rounds: Number(read.rounds),
    requests: Number(read.requests),
    clients: Number(read.clients),
    switches: Object.fromEntries(switches.map((name) => [name, read[name] === true])),
    baseline: typeof read.baseline === "string" ? read.baseline : null,
  };
}
