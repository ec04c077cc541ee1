/**
 * A write workload for crash tests, with a model that knows exactly what must survive.
 *
 * Each worker owns its keys and has at most one command in flight, so at any moment its keys
 * are in one of two states: everything acknowledged, or that plus the one command in flight.
 * After a kill and restart, every worker's keys must match one of the two, exactly and as a
 * whole (an MSET is all or nothing).
 */
import { type Client, connect } from "../../src/client/mod.ts";
import { ReplyError } from "../../src/client/mod.ts";

/** A key's modelled state: its value and whether it carries a TTL. */
interface Entry {
  value: string;
  ttl: boolean;
}

type Model = Map<string, Entry>;

const STRING_KEYS = 6;
const COUNTERS = 2;
/** The TTL given by SET ... EX: long enough never to expire during a test. */
const TTL_SECONDS = 3600;

export class Worker {
  readonly id: number;
  /** The database number or partition name the worker writes in. */
  readonly db: number | string;
  readonly keys: string[];
  readonly counters: string[];
  /** Every acknowledged command applied. */
  acked: Model = new Map();
  /** The state after the command in flight, or null when none is. */
  pending: Model | null = null;
  /** Commands acknowledged in total. */
  acknowledged = 0;
  #random: () => number;
  #step = 0;

  constructor(id: number, random: () => number, db: number | string = 0) {
    this.id = id;
    this.db = db;
    this.keys = Array.from({ length: STRING_KEYS }, (_, i) => `w${id}:s${i}`);
    this.counters = Array.from({ length: COUNTERS }, (_, i) => `w${id}:c${i}`);
    this.#random = random;
  }

  /** Sends commands one at a time until `stop()` is true or the connection dies. */
  async run(port: number, stop: () => boolean): Promise<void> {
    let client: Client;
    try {
      client = await connect({ port, db: this.db });
    } catch {
      return;
    }
    try {
      while (!stop()) {
        const { args, after, expect } = this.#next();
        this.pending = after;
        let reply;
        try {
          reply = await client.call(...args);
        } catch {
          return; // killed mid-command: the command stays pending
        }
        if (reply instanceof ReplyError || !expect(reply)) {
          throw new Error(`Worker ${this.id}: ${args.join(" ")} answered ${String(reply)}`);
        }
        this.acked = after;
        this.pending = null;
        this.acknowledged++;
      }
    } finally {
      client.close();
    }
  }

  #next(): { args: string[]; after: Model; expect: (reply: unknown) => boolean } {
    const after: Model = new Map(this.acked);
    const n = this.#step++;
    const pick = (list: string[]) => list[Math.floor(this.#random() * list.length)];
    const value = `v${this.id}.${n}`;
    const choice = this.#random();
    if (choice < 0.25) {
      const key = pick(this.keys);
      after.set(key, { value, ttl: false });
      return { args: ["SET", key, value], after, expect: (r) => r === "OK" };
    }
    if (choice < 0.4) {
      const key = pick(this.keys);
      after.set(key, { value, ttl: true });
      return {
        args: ["SET", key, value, "EX", String(TTL_SECONDS)],
        after,
        expect: (r) => r === "OK",
      };
    }
    if (choice < 0.6) {
      const key = pick(this.counters);
      const next = String(Number(this.acked.get(key)?.value ?? "0") + 1);
      after.set(key, { value: next, ttl: false });
      return { args: ["INCR", key], after, expect: (r) => String(r) === next };
    }
    if (choice < 0.7) {
      const key = pick([...this.keys, ...this.counters]);
      const existed = after.delete(key);
      return { args: ["DEL", key], after, expect: (r) => r === (existed ? 1 : 0) };
    }
    if (choice < 0.85) {
      const a = pick(this.keys);
      const b = this.keys[(this.keys.indexOf(a) + 1) % this.keys.length];
      after.set(a, { value: value + "a", ttl: false });
      after.set(b, { value: value + "b", ttl: false });
      return { args: ["MSET", a, value + "a", b, value + "b"], after, expect: (r) => r === "OK" };
    }
    if (choice >= 0.93) {
      // RENAME onto another of the worker's keys (replacing it; the TTL goes along).
      const present = this.keys.filter((k) => this.acked.has(k));
      if (present.length > 0) {
        const from = pick(present);
        const to = pick(this.keys.filter((k) => k !== from));
        after.set(to, this.acked.get(from)!);
        after.delete(from);
        return { args: ["RENAME", from, to], after, expect: (r) => r === "OK" };
      }
    }
    const key = pick(this.keys);
    const old = this.acked.get(key);
    const appended = (old?.value ?? "") + `+${n}`;
    after.set(key, { value: appended, ttl: old?.ttl ?? false });
    return {
      args: ["APPEND", key, `+${n}`],
      after,
      expect: (r) => r === appended.length,
    };
  }

  /**
   * Reads the worker's keys from the server and checks they match the acknowledged state or
   * the state after the command in flight. Returns a description of the mismatch, or null;
   * on success the matching state becomes the acknowledged one (state carries over rounds).
   */
  async verify(client: Client): Promise<string | null> {
    const all = [...this.keys, ...this.counters];
    await client.select(this.db);
    const replies = await client.pipeline(all.flatMap((key) => [["GET", key], ["PTTL", key]]));
    const actual: Model = new Map();
    for (let i = 0; i < all.length; i++) {
      const value = replies[2 * i];
      const pttl = replies[2 * i + 1] as number;
      if (value === null) continue;
      if (pttl > TTL_SECONDS * 1000) return `${all[i]} has a TTL of ${pttl} ms`;
      actual.set(all[i], { value: value as string, ttl: pttl >= 0 });
    }
    for (const candidate of [this.acked, this.pending]) {
      if (candidate && sameModel(candidate, actual)) {
        this.acked = candidate;
        this.pending = null;
        return null;
      }
    }
    return `worker ${this.id}: found ${show(actual)}\n  acknowledged ${show(this.acked)}` +
      (this.pending ? `\n  or in flight ${show(this.pending)}` : "");
  }
}

function sameModel(a: Model, b: Model): boolean {
  if (a.size !== b.size) return false;
  for (const [key, entry] of a) {
    const other = b.get(key);
    if (!other || other.value !== entry.value || other.ttl !== entry.ttl) return false;
  }
  return true;
}

function show(model: Model): string {
  return JSON.stringify(
    [...model].sort().map(([k, e]) => `${k}=${e.value}${e.ttl ? "(ttl)" : ""}`),
  );
}

/** A small deterministic PRNG (mulberry32), so a failing seed can be replayed. */
export { random as seededRandom } from "../helpers/random.ts";

/** Verifies every worker against a freshly started server; throws listing the mismatches. */
export async function verifyWorkers(port: number, workers: Worker[]): Promise<void> {
  const client = await connect({ port });
  try {
    const problems: string[] = [];
    for (const worker of workers) {
      const problem = await worker.verify(client);
      if (problem) problems.push(problem);
    }
    if (problems.length > 0) throw new Error(`Lost or wrong data:\n${problems.join("\n")}`);
  } finally {
    client.close();
  }
}
