/**
 * The replica side: the link to our primary. It connects and shakes hands as a Redis replica
 * does (PING, AUTH with masterauth, REPLCONF listening-port, REPLCONF capa eof capa psync2,
 * PSYNC), then either loads a full RDB or continues from its offset, and applies the stream:
 *
 * - A full sync is read whole and loaded into fresh keyspaces; only when every key decoded and
 *   the CRC-64 matched are they swapped in, in one actor task, and journaled as one record
 *   (FLUSHALL, every key, the new position), so a crash keeps the old data set or the new one.
 *   A bad or unsupported RDB fails the sync with a log line; the old data stays and the sync
 *   is retried.
 * - The stream is applied through the dispatcher as the master client (replies dropped), one
 *   unit at a time (a command, or MULTI..EXEC whole), each record carrying the stream position
 *   (REPLPOS in the log) so a restart resumes with PSYNC from there. Once a round of them is
 *   durable, the bytes are forwarded to our backlog and sub-replicas (Replication.afterRound).
 * - REPLCONF ACK <offset> goes back every second and after each GETACK.
 *
 * Any failure (connection, timeout, garbage in the stream) closes the link; it reconnects a
 * second later and asks for a partial resync.
 */
import type { Config } from "../config/settings.ts";
import { Databases } from "../store/databases.ts";
import { emptyJournal } from "../store/journal.ts";
import type { Logger } from "../log/logger.ts";
import { Session } from "../commands/session.ts";
import type { WalJournal } from "../wal/wal_journal.ts";
import { readRdb } from "../rdb/rdb_decoder.ts";
import { RdbError } from "../rdb/format.ts";
import type { Replication } from "./replication.ts";
import { LinkError, LinkReader } from "./link_reader.ts";
import { type StreamCommand, StreamError, StreamParser } from "./stream_parser.ts";
import { encodeCommand } from "./resp_bytes.ts";

/** Largest RDB transfer accepted. */
const MAX_RDB_BYTES = 16 * 1024 * 1024 * 1024;
/** Largest MULTI..EXEC unit buffered from the stream. */
const MAX_UNIT_BYTES = 1024 * 1024 * 1024;
const RETRY_MS = 1000;

export type LinkState = "connect" | "connecting" | "sync" | "transfer" | "connected";

export interface MasterLinkOptions {
  host: string;
  port: number;
  config: Config;
  replication: Replication;
  store: Databases;
  runInStore: (task: () => void) => Promise<void>;
  /** Runs one command as the master client (the dispatcher). */
  runCommand: (session: Session, argv: string[]) => unknown;
  wal: WalJournal | null;
  log: Logger;
  /** Our own port, for REPLCONF listening-port. */
  listeningPort: () => number;
  now: () => number;
  /** Resume with PSYNC from our replication id and offset (false: ask with `? -1`). */
  resume: boolean;
  /** The database the stream had selected at our offset (from the log), when resuming. */
  streamDb: number;
  /**
   * FAILOVER: this link demotes us in favour of our replica; PSYNC carries FAILOVER (the replica
   * promotes itself), and the outcome is reported once.
   */
  failover?: { done: (error: string | null) => void };
}

export class MasterLink {
  state: LinkState = "connect";
  /** Unix ms of the last byte from the primary. */
  lastIoMs = 0;
  /** Unix ms the link went down (or was never up), for master_link_down_since_seconds. */
  downSinceMs: number;
  /** Bytes of the RDB transfer in progress, and its size (-1 when unknown). */
  transferRead = 0;
  transferSize = -1;
  readonly #options: MasterLinkOptions;
  readonly #session: Session;
  #conn: Deno.Conn | null = null;
  #stopped = false;
  #resume: boolean;
  #writing: Promise<unknown> = Promise.resolve();
  #timer: ReturnType<typeof setInterval> | undefined;
  #wake: (() => void) | null = null;
  /** Set when a command from the primary failed here (the data sets differ). */
  #diverged: string | null = null;
  readonly done: Promise<void>;

  constructor(options: MasterLinkOptions) {
    this.#options = options;
    this.#resume = options.resume;
    this.downSinceMs = Date.now();
    this.#session = new Session(0, `${options.host}:${options.port}`, "", Date.now());
    this.#session.kind = "master";
    this.#session.db = options.streamDb;
    options.replication.onApplyFailed = () => {
      // The replica's own log failed: what was applied is not durable. Start over.
      this.#resume = false;
      this.#closeConn();
    };
    this.done = this.#loop();
  }

  get host(): string {
    return this.#options.host;
  }

  get port(): number {
    return this.#options.port;
  }

  /** Stops for good (REPLICAOF NO ONE, another primary, shutdown). */
  stop(): void {
    this.#stopped = true;
    this.#closeConn();
    this.#wake?.();
  }

  async #loop(): Promise<void> {
    const { log, host, port } = this.#options;
    this.#timer = setInterval(() => this.#tick(), 1000);
    try {
      while (!this.#stopped) {
        try {
          await this.#connectOnce();
        } catch (error) {
          if (this.#stopped) break;
          const reason = error instanceof Error ? error.message : String(error);
          log.warn(`Replication link with primary ${host}:${port} failed: ${reason}`);
          this.#reportFailover(reason);
        }
        this.#closeConn();
        if (this.state === "connected") this.downSinceMs = Date.now();
        this.state = "connect";
        this.transferSize = -1;
        if (this.#stopped) break;
        await new Promise<void>((resolve) => {
          this.#wake = resolve;
          setTimeout(resolve, RETRY_MS);
        });
        this.#wake = null;
      }
    } finally {
      clearInterval(this.#timer);
    }
  }

  /** Tells FAILOVER how the switch went, once. */
  #reportFailover(error: string | null): void {
    const failover = this.#options.failover;
    if (failover === undefined) return;
    this.#options.failover = undefined;
    failover.done(error);
  }

  #closeConn(): void {
    try {
      this.#conn?.close();
    } catch { /* closed */ }
    this.#conn = null;
  }

  /** Once a second: ACK our offset, and give up on a silent primary. */
  #tick(): void {
    if (this.#conn === null) return;
    const timeoutMs = this.#options.config.replTimeoutSec * 1000;
    if (this.lastIoMs > 0 && Date.now() - this.lastIoMs > timeoutMs) {
      this.#options.log.warn(
        `Timeout connecting to the primary: nothing received for ${timeoutMs / 1000} s`,
      );
      this.#closeConn();
      return;
    }
    if (this.state === "connected") this.#sendAck();
  }

  #send(argv: string[]): void {
    const conn = this.#conn;
    if (conn === null) return;
    const bytes = encodeCommand(argv);
    this.#writing = this.#writing.then(async () => {
      let at = 0;
      while (at < bytes.length) at += await conn.write(bytes.subarray(at));
    }).catch(() => this.#closeConn());
  }

  #sendAck(): void {
    this.#send(["REPLCONF", "ACK", String(this.#options.replication.offset)]);
  }

  async #command(reader: LinkReader, argv: string[]): Promise<string> {
    this.#send(argv);
    return await reader.line();
  }

  async #connectOnce(): Promise<void> {
    const { host, port, config, replication, log } = this.#options;
    this.state = "connecting";
    const conn = config.tlsReplication
      ? await Deno.connectTls({ hostname: host, port, ...replicationTls(config) })
      : await Deno.connect({ hostname: host, port });
    this.#conn = conn;
    this.lastIoMs = Date.now();
    const reader = new LinkReader(conn);
    reader.onRead = () => this.lastIoMs = Date.now();
    this.state = "sync";
    log.info(`Connecting to primary ${host}:${port}`);

    const pong = await this.#command(reader, ["PING"]);
    if (pong.startsWith("-") && !/^-(NOAUTH|NOPERM|ERR operation not permitted)/.test(pong)) {
      throw new LinkError(`the primary answered PING with "${pong}"`);
    }
    if (config.masterAuth !== "") {
      const auth = await this.#command(
        reader,
        config.masterUser === ""
          ? ["AUTH", config.masterAuth]
          : ["AUTH", config.masterUser, config.masterAuth],
      );
      if (auth !== "+OK") throw new LinkError(`AUTH with masterauth failed: ${auth}`);
    }
    await this.#command(reader, [
      "REPLCONF",
      "listening-port",
      String(this.#options.listeningPort()),
    ]);
    await this.#command(reader, ["REPLCONF", "capa", "eof", "capa", "psync2"]);
    const psync = this.#resume ? [replication.replid, String(replication.offset + 1)] : ["?", "-1"];
    if (this.#options.failover) psync.push("FAILOVER");
    let reply = await this.#command(reader, ["PSYNC", ...psync]);
    while (reply === "") reply = await reader.line();
    if (reply.startsWith("+FULLRESYNC")) {
      const [, replid, offsetText] = reply.split(" ");
      if (!/^[0-9a-f]{40}$/.test(replid ?? "") || !/^[0-9]+$/.test(offsetText ?? "")) {
        throw new LinkError(`bad reply to PSYNC: "${reply}"`);
      }
      log.info(`Full resync from primary ${host}:${port}: ${replid}:${offsetText}`);
      await this.#fullSync(reader, replid, Number(offsetText));
    } else if (reply.startsWith("+CONTINUE")) {
      const replid = reply.split(" ")[1];
      if (replid !== undefined && /^[0-9a-f]{40}$/.test(replid)) replication.switchHistory(replid);
      log.info(
        `Successful partial resynchronization with primary ${host}:${port} from offset ` +
          `${replication.offset + 1}`,
      );
    } else {
      throw new LinkError(`the primary refused PSYNC: "${reply}"`);
    }
    this.#resume = true;
    this.state = "connected";
    this.#sendAck();
    this.#reportFailover(null);
    await this.#stream(reader);
  }

  /** Reads the RDB, loads it into fresh keyspaces, and swaps them in when all is well. */
  async #fullSync(reader: LinkReader, replid: string, offset: number): Promise<void> {
    const { log, host, port, store } = this.#options;
    let header = await reader.line();
    while (header === "") header = await reader.line(); // keepalive newlines
    let payload: Uint8Array;
    this.state = "transfer";
    this.transferRead = 0;
    if (header.startsWith("$EOF:") && header.length === 45) {
      this.transferSize = -1;
      const mark = new TextEncoder().encode(header.slice(5));
      payload = await reader.untilMark(mark, MAX_RDB_BYTES);
    } else if (/^\$[0-9]+$/.test(header)) {
      const size = Number(header.slice(1));
      if (size > MAX_RDB_BYTES) throw new LinkError(`RDB of ${size} bytes is too large`);
      this.transferSize = size;
      payload = await reader.exactly(size, (read) => this.transferRead = read);
    } else {
      throw new LinkError(`bad RDB header from the primary: "${header.slice(0, 60)}"`);
    }
    log.info(`Received ${payload.length} bytes of RDB from the primary; loading`);
    const fresh = new Databases(emptyJournal(), store.count);
    let keys = 0;
    let streamDb = 0;
    try {
      const info = await readRdb(payload, (entry) => {
        const keyspace = fresh.dbs[entry.db];
        if (keyspace === undefined) {
          throw new RdbError(`the RDB uses database ${entry.db}; this server has ${store.count}`);
        }
        // A fresh keyspace with nothing listening: nothing is journaled.
        keyspace.set(entry.key, entry.value, entry.expireAtMs);
        keys++;
      }, { pause: () => new Promise((resolve) => setTimeout(resolve, 0)) });
      streamDb = Number(info.aux.get("repl-stream-db") ?? "0") || 0;
      if (!info.checksummed) log.warn("The primary's RDB has no checksum (rdbchecksum no)");
    } catch (error) {
      if (!(error instanceof RdbError)) throw error;
      throw new LinkError(
        `cannot load the RDB from ${host}:${port}: ${error.message}. Nothing was loaded; ` +
          `the sync will be retried`,
      );
    }
    if (this.#stopped) throw new LinkError("stopped");
    await this.#options.runInStore(() => {
      if (this.#stopped) return;
      this.#swapIn(fresh, replid, offset, streamDb);
    });
    if (this.#stopped) throw new LinkError("stopped");
    this.#session.db = streamDb;
    this.transferSize = -1;
    log.info(`Full sync done: ${keys} keys loaded; streaming from offset ${offset}`);
  }

  /** Inside the actor: the loaded data replaces ours, journaled as one record. */
  #swapIn(fresh: Databases, replid: string, offset: number, streamDb: number): void {
    const { store, wal, replication } = this.#options;
    const journal = store.journal;
    journal.hold();
    try {
      for (let i = 0; i < store.count; i++) {
        const live = store.dbs[i];
        live.flush();
        live.adopt(fresh.dbs[i]);
        if (wal === null) continue;
        for (let s = 0; s < live.data.shards.length; s++) {
          const deadlines = live.expires.shards[s];
          for (const [key, value] of live.data.shards[s]) {
            wal.set(i, key, value, deadlines.size === 0 ? 0 : deadlines.get(key) ?? 0);
          }
        }
      }
      wal?.setReplPosition(replid, offset, streamDb);
    } finally {
      journal.release();
    }
    journal.commandEnd();
    replication.adoptHistory(replid, offset);
  }

  /** Applies the stream until the link breaks. */
  async #stream(reader: LinkReader): Promise<void> {
    const parser = new StreamParser(this.#options.config.maxBulkBytes);
    const raw: Uint8Array[] = [];
    let open: StreamCommand[] | null = null;
    let openBytes = 0;
    while (!this.#stopped) {
      const chunk = await reader.chunk();
      parser.push(chunk);
      raw.push(chunk);
      const units: StreamCommand[][] = [];
      let unitBytes = 0;
      try {
        let command: StreamCommand | null;
        while ((command = parser.next()) !== null) {
          const name = command.argv[0].toLowerCase();
          if (open !== null) {
            open.push(command);
            openBytes += command.bytes;
            if (openBytes > MAX_UNIT_BYTES) throw new StreamError("transaction too large");
            if (name === "exec" || name === "discard") {
              units.push(open);
              unitBytes += openBytes;
              open = null;
              openBytes = 0;
            }
          } else if (name === "multi") {
            open = [command];
            openBytes = command.bytes;
          } else {
            units.push([command]);
            unitBytes += command.bytes;
          }
        }
      } catch (error) {
        if (error instanceof StreamError) {
          throw new LinkError(`garbage in the replication stream: ${error.message}`);
        }
        throw error;
      }
      if (units.length === 0) continue;
      const bytes = takeBytes(raw, unitBytes);
      let getack = false;
      await this.#options.runInStore(() => {
        if (this.#stopped) return;
        getack = this.#apply(units, bytes);
      });
      if (this.#diverged !== null) {
        const reason = this.#diverged;
        this.#diverged = null;
        this.#resume = false;
        throw new LinkError(`${reason}; resynchronizing from scratch`);
      }
      if (getack) this.#sendAck();
    }
  }

  /** Inside the actor: applies whole units and hands their bytes on for forwarding. */
  #apply(units: StreamCommand[][], bytes: Uint8Array): boolean {
    const { replication, wal, store } = this.#options;
    const session = this.#session;
    let getack = false;
    let at = 0;
    for (const unit of units) {
      let size = 0;
      for (const command of unit) size += command.bytes;
      const after = replication.appliedOffset + size;
      const first = unit[0].argv;
      const name = first[0].toLowerCase();
      if (unit.length > 1 || name === "multi") {
        const body = unit.slice(1, -1);
        const committed = unit[unit.length - 1].argv[0].toLowerCase() === "exec";
        if (committed && body.length > 0) {
          store.journal.hold();
          for (const command of body) this.#run(command.argv);
          store.journal.release();
          wal?.setReplPosition(replication.replid, after, session.db);
          store.journal.commandEnd();
        }
      } else if (name === "replconf") {
        if (first[1]?.toLowerCase() === "getack") getack = true;
      } else if (name !== "ping") {
        wal?.setReplPosition(replication.replid, after, session.db);
        this.#run(first);
      }
      replication.forward(bytes.subarray(at, at + size));
      at += size;
    }
    return getack;
  }

  #run(argv: string[]): void {
    const session = this.#session;
    const out = session.out;
    this.#options.runCommand(session, argv);
    if (out.length === 0) return;
    // The reply is dropped (its buffer reused: no allocation per command); only an error
    // matters. A primary only sends what succeeded there: an error means our data differs.
    const reply = out.take();
    if (reply[0] === 45) {
      let line = "";
      for (let i = 1; i < reply.length && reply[i] !== 13; i++) {
        line += String.fromCharCode(reply[i]);
      }
      this.#diverged ??= `the primary's ${argv[0].toUpperCase()} failed here: ${line}`;
    }
    out.recycle(reply);
  }
}

/** Removes exactly `n` bytes from the front of `chunks` and returns them as one array. */
function takeBytes(chunks: Uint8Array[], n: number): Uint8Array {
  const out = new Uint8Array(n);
  let at = 0;
  while (at < n) {
    const head = chunks[0];
    const take = Math.min(head.length, n - at);
    out.set(head.subarray(0, take), at);
    at += take;
    if (take === head.length) chunks.shift();
    else chunks[0] = head.subarray(take);
  }
  return out;
}

/**
 * TLS to the primary (`--tls-replication yes`): trust --tls-ca-cert-file, and present this
 * server's own certificate, which a primary with `--tls-auth-clients yes` requires.
 */
function replicationTls(config: Config): { caCerts?: string[]; cert?: string; key?: string } {
  const read = (path: string) => path === "" ? undefined : Deno.readTextFileSync(path);
  const ca = read(config.tlsCaCertFile);
  const cert = read(config.tlsCertFile);
  const key = read(config.tlsKeyFile);
  return {
    ...(ca === undefined ? {} : { caCerts: [ca] }),
    ...(cert !== undefined && key !== undefined ? { cert, key } : {}),
  };
}
