/**
 * Runs a parsed differential script against two servers (Hermes and the reference redis-server)
 * side by side and collects every step whose replies differ.
 */
import { type Client, connect, encodeCommand } from "../../src/client/mod.ts";
import { latin1ToBytes } from "../../src/protocol/latin1.ts";
import { describeOutcome, escapeBytes, type Outcome, sameOutcome } from "./reply_compare.ts";
import type { ScriptStep } from "./script_file.ts";
import { deliberateDifference } from "./deliberate_differences.ts";

/** How long a server may take to answer one request before the answer counts as silence. */
const REPLY_TIMEOUT_MS = 5000;
/** How long `!noreply` listens for an answer that should not come. */
const SILENCE_MS = 250;

/** One connection to one server, reopened on demand after it closes. */
export class Endpoint {
  readonly label: string;
  readonly port: number;
  readonly protocol: 2 | 3;
  #client: Client | null = null;

  constructor(label: string, port: number, protocol: 2 | 3) {
    this.label = label;
    this.port = port;
    this.protocol = protocol;
  }

  /**
   * Writes `bytes` and reads `count` answers, each awaited up to `timeoutMs` (a closed connection
   * answers "closed" from then on; silence closes the connection).
   */
  async exchange(
    bytes: Uint8Array,
    count: number,
    timeoutMs = REPLY_TIMEOUT_MS,
  ): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    let client: Client;
    try {
      client = await this.#connection();
    } catch (error) {
      if (!(error instanceof Deno.errors.ConnectionRefused)) throw error;
      return Array.from({ length: count }, () => ({ kind: "closed" }));
    }
    try {
      await client.writeRaw(bytes);
    } catch {
      this.close();
      return Array.from({ length: count }, () => ({ kind: "closed" }));
    }
    for (let i = 0; i < count; i++) {
      if (this.#client === null) {
        outcomes.push({ kind: "closed" });
        continue;
      }
      outcomes.push(await this.#read(client, timeoutMs));
    }
    return outcomes;
  }

  /** Reads `count` answers without sending anything (pub/sub messages). */
  async read(count: number, timeoutMs = REPLY_TIMEOUT_MS): Promise<Outcome[]> {
    const outcomes: Outcome[] = [];
    const client = this.#client;
    for (let i = 0; i < count; i++) {
      if (client === null || this.#client !== client) outcomes.push({ kind: "closed" });
      else outcomes.push(await this.#read(client, timeoutMs));
    }
    return outcomes;
  }

  close(): void {
    this.#client?.close();
    this.#client = null;
  }

  async #read(client: Client, timeoutMs: number): Promise<Outcome> {
    let timer: ReturnType<typeof setTimeout> | undefined;
    const timeout = new Promise<Outcome>((resolve) => {
      timer = setTimeout(() => resolve({ kind: "timeout", ms: timeoutMs }), timeoutMs);
    });
    const reply = client.readDecoded().then(
      ({ raw, value }): Outcome => ({ kind: "reply", raw, value }),
      (error): Outcome =>
        error instanceof TypeError
          ? { kind: "invalid", reason: error.message } // thrown by the decoder
          : { kind: "closed" },
    );
    const outcome = await Promise.race([reply, timeout]);
    clearTimeout(timer);
    if (outcome.kind !== "reply") {
      this.close();
      await reply; // the pending read ends once the connection is closed
    }
    return outcome;
  }

  async #connection(): Promise<Client> {
    if (this.#client) return this.#client;
    const client = await connect({ port: this.port });
    if (this.protocol === 3) {
      // HELLO's reply names the server and its version, so it is checked for shape, not compared.
      await client.writeRaw(encodeCommand(["HELLO", "3"]));
      const { raw } = await client.readDecoded();
      if (raw[0] !== 0x25) {
        client.close();
        throw new Error(`${this.label} did not answer HELLO 3 with a map: ${escapeBytes(raw)}`);
      }
    }
    this.#client = client;
    return client;
  }
}

/** One step whose replies differ. */
export interface Mismatch {
  script: string;
  line: number;
  protocol: 2 | 3;
  command: string;
  /** The label of the server under test ("hermes", or "redis" when checking the scripts). */
  label: string;
  hermes: string;
  redis: string;
}

/** Results of one script run. */
export interface ScriptResult {
  mismatches: Mismatch[];
  /** Steps compared (each command of a pipeline counts once). */
  compared: number;
  /** Steps that differed only where the difference is deliberate (see deliberate_differences.ts). */
  tolerated: { line: number; command: string; reason: string; hermes: string; redis: string }[];
}

/** Sends every step to both endpoints and compares the answers. */
export async function runScript(
  script: string,
  steps: ScriptStep[],
  hermes: Endpoint,
  redis: Endpoint,
): Promise<ScriptResult> {
  const result: ScriptResult = { mismatches: [], compared: 0, tolerated: [] };
  // Named connections (`@name` steps), each a pair like the main one.
  const named = new Map<string, [Endpoint, Endpoint]>();
  const pairFor = (step: ScriptStep): [Endpoint, Endpoint] => {
    const name = "connection" in step ? step.connection : undefined;
    if (name === undefined) return [hermes, redis];
    let pair = named.get(name);
    if (pair === undefined) {
      pair = [
        new Endpoint(hermes.label, hermes.port, hermes.protocol),
        new Endpoint(redis.label, redis.port, redis.protocol),
      ];
      named.set(name, pair);
    }
    return pair;
  };
  try {
    for (const step of steps) {
      switch (step.kind) {
        case "sleep":
          await new Promise((resolve) => setTimeout(resolve, step.ms));
          continue;
        case "reconnect":
          for (const endpoint of [hermes, redis, ...[...named.values()].flat()]) endpoint.close();
          continue;
        case "pipeline":
          await compareRequests(script, step.steps, ...pairFor(step.steps[0]), result);
          continue;
        case "noreply":
          await compareRequests(script, [step], ...pairFor(step), result, SILENCE_MS);
          continue;
        case "read":
          await compareReads(script, step, ...pairFor(step), result);
          continue;
        default:
          await compareRequests(script, [step], ...pairFor(step), result);
      }
    }
  } finally {
    for (const endpoint of [...named.values()].flat()) endpoint.close();
  }
  return result;
}

type RequestStep = ScriptStep & { kind: "command" | "inline" | "raw" | "noreply" };

async function compareRequests(
  script: string,
  steps: ScriptStep[],
  hermes: Endpoint,
  redis: Endpoint,
  result: ScriptResult,
  timeoutMs?: number,
): Promise<void> {
  const requests = steps as RequestStep[];
  const bytes = concat(requests.map(requestBytes));
  const [fromHermes, fromRedis] = await Promise.all([
    hermes.exchange(bytes, requests.length, timeoutMs),
    redis.exchange(bytes, requests.length, timeoutMs),
  ]);
  for (let i = 0; i < requests.length; i++) {
    const step = requests[i];
    result.compared++;
    if (sameOutcome(fromHermes[i], fromRedis[i], step.mode)) continue;
    const deliberate = step.kind === "command" && step.mode !== "strict"
      ? deliberateDifference(step.args)
      : null;
    // Refusals are never deliberate differences: error texts must match exactly.
    const refused = isError(fromHermes[i]) || isError(fromRedis[i]);
    if (deliberate && !refused && sameOutcome(fromHermes[i], fromRedis[i], "type")) {
      result.tolerated.push({
        line: step.line,
        command: step.text,
        reason: deliberate,
        hermes: describeOutcome(fromHermes[i]),
        redis: describeOutcome(fromRedis[i]),
      });
      continue;
    }
    result.mismatches.push({
      script,
      line: step.line,
      protocol: hermes.protocol,
      command: step.text,
      label: hermes.label,
      hermes: describeOutcome(fromHermes[i]),
      redis: describeOutcome(fromRedis[i]),
    });
  }
}

/** `!read N`: N frames from each server's connection, in order or (`^`) in any. */
async function compareReads(
  script: string,
  step: ScriptStep & { kind: "read" },
  hermes: Endpoint,
  redis: Endpoint,
  result: ScriptResult,
): Promise<void> {
  const [fromHermes, fromRedis] = await Promise.all([
    hermes.read(step.count),
    redis.read(step.count),
  ]);
  if (step.mode === "unordered") {
    fromHermes.sort(byDescription);
    fromRedis.sort(byDescription);
  }
  for (let i = 0; i < step.count; i++) {
    result.compared++;
    const mode = step.mode === "unordered" ? "exact" : step.mode;
    // Silence from both means the script expects a frame neither server sends: a script bug.
    const bothSilent = fromHermes[i].kind === "timeout" && fromRedis[i].kind === "timeout";
    if (!bothSilent && sameOutcome(fromHermes[i], fromRedis[i], mode)) continue;
    result.mismatches.push({
      script,
      line: step.line,
      protocol: hermes.protocol,
      command: `${step.text} (frame ${i + 1})`,
      label: hermes.label,
      hermes: describeOutcome(fromHermes[i]),
      redis: describeOutcome(fromRedis[i]),
    });
  }
}

function byDescription(a: Outcome, b: Outcome): number {
  const left = describeOutcome(a);
  const right = describeOutcome(b);
  return left < right ? -1 : left > right ? 1 : 0;
}

function isError(outcome: Outcome): boolean {
  return outcome.kind === "reply" && (outcome.raw[0] === 0x2d || outcome.raw[0] === 0x21);
}

function requestBytes(step: RequestStep): Uint8Array {
  if (step.kind === "command") return encodeCommand(step.args.map(latin1ToBytes));
  return latin1ToBytes(step.bytes);
}

function concat(parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((sum, p) => sum + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

/** A mismatch as report lines. */
export function formatMismatch(m: Mismatch): string {
  return `${m.script}:${m.line} (RESP${m.protocol}) ${m.command}\n` +
    `    ${`${m.label}:`.padEnd(7)} ${m.hermes}\n` +
    `    redis:  ${m.redis}`;
}
