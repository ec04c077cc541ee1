/**
 * Turns the change stream into the replication stream a primary sends: each unit of changes
 * (one command, or one transaction) becomes Redis commands stated as results, in RESP, with
 * SELECT when the database changes and MULTI/EXEC around a unit of several commands, as Redis
 * propagates them:
 *
 * - a string: `SET key value` (+ `PXAT deadline`); a whole collection: `DEL key`, the type's
 *   build ops, `PEXPIREAT key deadline`;
 * - a deletion (DEL, expiry, eviction): `DEL key`; a deadline: `PEXPIREAT key ms` or `PERSIST`;
 * - a RENAME, MOVE or COPY: itself;
 * - a collection op: its own command (`[command, key, ...args]`, see ops.ts);
 * - FLUSHDB, FLUSHALL, SWAPDB.
 *
 * Bytes of a round are held until the round is made durable ({@linkcode PropagationSink.release}
 * runs after the actor's afterRound hook); a round that failed to be made durable sends nothing.
 *
 * Partitions (named databases, ids >= 16) are not sent: Redis replicas have no such databases.
 * `isReplicated` is the hook that decides (see DEVELOPERS.md, "Replication").
 */
import type { ChangeSink } from "../store/journal.ts";
import { OPS } from "../store/types/registry.ts";
import type { Value } from "../store/value.ts";
import { BUILD_CHUNK_BYTES } from "../wal/wal_journal.ts";
import { RespBuffer } from "./resp_bytes.ts";

/** Databases Redis has (0-15): only these are replicated. */
export function isReplicated(db: number): boolean {
  return db >= 0 && db < 16;
}

export class PropagationSink implements ChangeSink {
  /** The database the stream last selected; -1 forces a SELECT before the next command. */
  streamDb = -1;
  /** Commands of the open unit, as argv lists. */
  #unit: string[][] = [];
  /** Set when a unit is sealed; whoever reads it (the command's WAIT offset) clears it. */
  sealed = false;
  /** Encoded units of the round, waiting for the round to be made durable. */
  readonly #round = new RespBuffer();

  /** Bytes sealed in this round and not yet released. */
  get pendingBytes(): number {
    return this.#round.length;
  }

  #add(db: number, argv: string[]): void {
    if (!isReplicated(db)) return;
    if (db !== this.streamDb) {
      this.#unit.push(["SELECT", String(db)]);
      this.streamDb = db;
    }
    this.#unit.push(argv);
  }

  set(db: number, key: string, value: Value, expireAtMs: number): void {
    if (typeof value === "string") {
      this.#add(
        db,
        expireAtMs > 0 ? ["SET", key, value, "PXAT", String(expireAtMs)] : [
          "SET",
          key,
          value,
        ],
      );
      return;
    }
    this.#add(db, ["DEL", key]);
    for (const [code, args] of OPS.type(value.type).buildOps(value, BUILD_CHUNK_BYTES)) {
      this.op(db, key, code, args);
    }
    if (expireAtMs > 0) this.expire(db, key, expireAtMs);
  }

  delete(db: number, key: string): void {
    this.#add(db, ["DEL", key]);
  }

  /**
   * As Redis propagates them: RENAME or MOVE itself, whatever the value's size. With a partition
   * on one side (not replicated), what the replicated side saw.
   */
  rename(db: number, from: string, toDb: number, to: string, value: Value, at: number): void {
    const replicatedFrom = isReplicated(db);
    const replicatedTo = isReplicated(toDb);
    if (replicatedFrom && replicatedTo && (toDb === db || to === from)) {
      this.#add(db, toDb === db ? ["RENAME", from, to] : ["MOVE", from, String(toDb)]);
      return;
    }
    if (replicatedTo) this.set(toDb, to, value, at);
    if (replicatedFrom) this.delete(db, from);
  }

  /** As Redis propagates it: COPY itself (with REPLACE: `to` was emptied first if it held one). */
  copy(db: number, from: string, toDb: number, to: string, value: Value, at: number): void {
    if (!isReplicated(toDb)) return;
    if (!isReplicated(db)) return this.set(toDb, to, value, at);
    this.#add(
      db,
      toDb === db
        ? ["COPY", from, to, "REPLACE"]
        : ["COPY", from, to, "DB", String(toDb), "REPLACE"],
    );
  }

  expire(db: number, key: string, expireAtMs: number): void {
    this.#add(db, expireAtMs > 0 ? ["PEXPIREAT", key, String(expireAtMs)] : ["PERSIST", key]);
  }

  op(db: number, key: string, code: number, args: readonly string[]): void {
    const spec = OPS.byCode(code);
    if (spec === undefined) throw new TypeError(`Cannot propagate op ${code}: no such op`);
    this.#add(db, [spec.command, key, ...args]);
  }

  flush(db: number): void {
    if (db < 0) {
      this.#unit.push(["FLUSHALL"]);
      return;
    }
    this.#add(db, ["FLUSHDB"]);
  }

  swap(a: number, b: number): void {
    if (!isReplicated(a) || !isReplicated(b)) return;
    this.#unit.push(["SWAPDB", String(a), String(b)]);
  }

  commandEnd(): void {
    const unit = this.#unit;
    if (unit.length === 0) return;
    this.#unit = [];
    this.sealed = true;
    // A SELECT alone does not make a unit of several commands.
    const commands = unit.filter((argv) => argv[0] !== "SELECT").length;
    if (commands > 1) this.#round.command(["MULTI"]);
    for (const argv of unit) this.#round.command(argv);
    if (commands > 1) this.#round.command(["EXEC"]);
  }

  /** Adds a command of the replication machinery itself (PING, REPLCONF GETACK). */
  control(argv: string[]): void {
    this.#round.command(argv);
  }

  /**
   * Takes the first `count` bytes sealed (a round's, after it was made durable: later rounds'
   * follow, still waiting).
   */
  take(count: number): Uint8Array | null {
    return count <= 0 || this.#round.length === 0 ? null : this.#round.takeFirst(count);
  }

  /** The pending rounds could not be made durable: their bytes are dropped. */
  drop(): void {
    this.#round.length = 0;
    this.#unit = [];
    // The dropped bytes may have held the last SELECT: the next unit selects again.
    this.streamDb = -1;
  }
}
