/**
 * Fault injection for the log's files, for tests only. It wraps the handle of every log file
 * (log_file.ts) and, following a plan, fails a write or an fdatasync (the Nth, the next N, or
 * every Nth) or makes every fdatasync slower. A failing write first writes half of its bytes,
 * as a write cut short by a full disk does, so the log must cut the partial record off.
 *
 * In-process tests hand a {@linkcode FileFaults} to the log. Process tests set the
 * `HERMES_TEST_FAULTS` environment variable, which app.ts reads once at start (and logs a
 * warning about): nothing else turns this on, and a server started without it never loads a
 * plan. A plan may name a control file that the test writes new plans into while the server
 * runs.
 *
 * A plan is a comma-separated list of rules (counts start when the plan takes effect):
 *
 * | rule                    | effect                                                      |
 * | ----------------------- | ----------------------------------------------------------- |
 * | `fail-write=N`          | the next N writes fail (`always`: every write, until replaced) |
 * | `fail-write-at=N`       | the Nth write fails                                         |
 * | `fail-write-every=N`    | every Nth write fails                                       |
 * | `fail-sync=N`, `fail-sync-at=N`, `fail-sync-every=N` | the same for fdatasync         |
 * | `slow-sync-ms=N`        | every fdatasync takes N ms longer                           |
 * | `control=PATH`          | before each operation, if PATH exists its text replaces the rules, and the file is removed |
 */

/** The file operations a log file needs: `Deno.FsFile` has them, the fault layer wraps them. */
export interface LogHandle {
  write(bytes: Uint8Array): Promise<number>;
  writeSync(bytes: Uint8Array): number;
  truncateSync(size: number): void;
  syncData(): Promise<void>;
  syncDataSync(): void;
  close(): void;
}

/** Opens a log file's handle (`Deno.open` unless a test injects faults). */
export type OpenLogHandle = (path: string, options: Deno.OpenOptions) => Promise<LogHandle>;

export const openRealHandle: OpenLogHandle = (path, options) => Deno.open(path, options);

/** The environment variable a test sets to start a server with a fault plan. */
export const FAULTS_ENV = "HERMES_TEST_FAULTS";

/**
 * The value of environment variable `name`, or undefined when it is unset or this program may
 * not read it (an embedded store runs with the permissions its program was given).
 */
export function envIfAllowed(name: string): string | undefined {
  if (Deno.permissions.querySync({ name: "env", variable: name }).state !== "granted") {
    return undefined;
  }
  return Deno.env.get(name);
}

/** The rules for one kind of operation. */
interface Rule {
  /** Fail the next this many (Infinity: all). */
  next: number;
  /** Fail the operation with this number (1-based), or 0. */
  at: number;
  /** Fail every operation whose number is a multiple of this, or 0. */
  every: number;
  /** Operations counted since the plan took effect. */
  count: number;
}

const noRule = (): Rule => ({ next: 0, at: 0, every: 0, count: 0 });

/** A plan that cannot be read; the message names the rule. */
export class FaultPlanError extends Error {
  override name = "FaultPlanError";
}

export class FileFaults {
  #write = noRule();
  #sync = noRule();
  #slowSyncMs = 0;
  #control: string | null = null;
  /** Operations failed so far, for tests to check their plan took effect. */
  failures = 0;

  constructor(plan: string) {
    this.#apply(plan, true);
  }

  /** The faults for a server, from {@linkcode FAULTS_ENV}, or null when it is not set. */
  static fromEnv(): FileFaults | null {
    const plan = envIfAllowed(FAULTS_ENV);
    return plan === undefined || plan === "" ? null : new FileFaults(plan);
  }

  /** Replaces the rules now (in-process tests; process tests use the control file). */
  replan(plan: string): void {
    this.#apply(plan, false);
  }

  /** Opens a log file through the real file system and wraps its handle. */
  readonly open: OpenLogHandle = async (path, options) => {
    return new FaultyHandle(await Deno.open(path, options), this);
  };

  #apply(plan: string, initial: boolean): void {
    const write = noRule();
    const sync = noRule();
    let slow = 0;
    for (const item of plan.split(",").map((part) => part.trim()).filter((part) => part)) {
      const [name, value] = item.split("=", 2);
      if (name === "control" && initial && value) {
        this.#control = value;
        continue;
      }
      const number = value === "always" ? Infinity : Number(value);
      if (!(number >= 0)) throw new FaultPlanError(`Cannot read fault rule "${item}"`);
      const rule = name.startsWith("fail-write")
        ? write
        : name.startsWith("fail-sync")
        ? sync
        : null;
      const kind = name.replace(/^fail-(write|sync)/, "");
      if (name === "slow-sync-ms") slow = number;
      else if (rule !== null && kind === "") rule.next = number;
      else if (rule !== null && kind === "-at") rule.at = number;
      else if (rule !== null && kind === "-every") rule.every = number;
      else throw new FaultPlanError(`Cannot read fault rule "${item}"`);
    }
    this.#write = write;
    this.#sync = sync;
    this.#slowSyncMs = slow;
  }

  /** Reads a new plan from the control file, if one was dropped there. */
  #poll(): void {
    if (this.#control === null) return;
    let plan: string;
    try {
      plan = Deno.readTextFileSync(this.#control);
    } catch {
      return; // no new plan
    }
    Deno.removeSync(this.#control);
    this.#apply(plan, false);
  }

  /** Whether this write fails. */
  writeFails(): boolean {
    this.#poll();
    return this.#decide(this.#write);
  }

  /** Whether this fdatasync fails. */
  syncFails(): boolean {
    this.#poll();
    return this.#decide(this.#sync);
  }

  get slowSyncMs(): number {
    return this.#slowSyncMs;
  }

  #decide(rule: Rule): boolean {
    const n = ++rule.count;
    let fail = false;
    if (rule.next > 0) {
      rule.next--;
      fail = true;
    }
    if (rule.at === n || (rule.every > 0 && n % rule.every === 0)) fail = true;
    if (fail) this.failures++;
    return fail;
  }
}

/** Blocks the thread for `ms` (a slow fdatasync blocks it too). */
function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

class FaultyHandle implements LogHandle {
  readonly #file: Deno.FsFile;
  readonly #faults: FileFaults;

  constructor(file: Deno.FsFile, faults: FileFaults) {
    this.#file = file;
    this.#faults = faults;
  }

  async write(bytes: Uint8Array): Promise<number> {
    if (this.#faults.writeFails()) {
      await this.#file.write(bytes.subarray(0, bytes.length >> 1));
      throw new Error("injected write failure");
    }
    return await this.#file.write(bytes);
  }

  writeSync(bytes: Uint8Array): number {
    if (this.#faults.writeFails()) {
      this.#file.writeSync(bytes.subarray(0, bytes.length >> 1));
      throw new Error("injected write failure");
    }
    return this.#file.writeSync(bytes);
  }

  truncateSync(size: number): void {
    this.#file.truncateSync(size);
  }

  async syncData(): Promise<void> {
    const slow = this.#faults.slowSyncMs;
    if (slow > 0) await new Promise((resolve) => setTimeout(resolve, slow));
    if (this.#faults.syncFails()) throw new Error("injected fdatasync failure");
    await this.#file.syncData();
  }

  syncDataSync(): void {
    const slow = this.#faults.slowSyncMs;
    if (slow > 0) sleepSync(slow);
    if (this.#faults.syncFails()) throw new Error("injected fdatasync failure");
    this.#file.syncDataSync();
  }

  close(): void {
    this.#file.close();
  }
}
