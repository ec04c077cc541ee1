/** Options of the typed client: connecting, SET, SCAN, HELLO, EXPIRE. */
import type { PushHandler } from "./connection.ts";
import type { Arg } from "./encode_command.ts";

/**
 * How `connect` reaches and sets up the server.
 *
 * @example
 * ```ts
 * import { connect, type ConnectOptions } from "./mod.ts";
 * const options: ConnectOptions = { host: "127.0.0.1", port: 8080, protocol: 3, db: 1 };
 * const client = await connect(options);
 * client.close();
 * ```
 */
export interface ConnectOptions {
  /** Server address. Default `127.0.0.1`. */
  host?: string;
  /** Server port. Default `8080`. */
  port?: number;
  /** Reply protocol: `2` (default) or `3`, which sends `HELLO 3` on connect. */
  protocol?: 2 | 3;
  /** Sent with AUTH (or inside HELLO) on connect. */
  password?: string;
  /** ACL user for AUTH; default user when omitted. */
  username?: string;
  /**
   * Database number or partition name selected on connect with SELECT. Default 0 (no SELECT
   * sent).
   */
  db?: number | string;
  /** Receives RESP3 push frames; without it they collect in `client.pushes`. */
  onPush?: PushHandler;
  /**
   * Messages a subscription (`client.subscribe`) holds for a reader that falls behind before
   * it fails and unsubscribes. Default 10,000.
   */
  subscriptionBufferLimit?: number;
  /** Connect over TLS (the server's `--tls-port`). */
  tls?: TlsOptions;
}

/**
 * TLS settings of `connect`: the CA to trust (PEM text; the system's roots are trusted too),
 * and a client certificate for servers started with `--tls-auth-clients yes|optional`. The
 * server's certificate must name the host connected to (a DNS name or an IP address SAN).
 *
 * @example
 * ```ts
 * import { connect } from "./mod.ts";
 * const client = await connect({
 *   port: 6380,
 *   tls: { caCerts: [await Deno.readTextFile("ca.crt")] },
 *   username: "app",
 *   password: "secret",
 * });
 * client.close();
 * ```
 */
export interface TlsOptions {
  /** Extra root certificates (PEM). */
  caCerts?: string[];
  /** Client certificate and its private key (PEM). */
  cert?: string;
  /** The client certificate's private key (PEM). */
  key?: string;
}

/**
 * Options of `Client.set`: at most one expiry (`ex`, `px`, `exat`, `pxat`,
 * `keepTtl`), at most one condition (`nx`, `xx`), and `get`. Conflicting options are refused
 * by the server with `ERR syntax error`.
 *
 * @example
 * ```ts
 * import { connect, type SetOptions } from "./mod.ts";
 * const once: SetOptions = { nx: true, ex: 30 };
 * const client = await connect({ port: 8080 });
 * await client.set("job:42", "running", once);
 * client.close();
 * ```
 */
export interface SetOptions {
  /** Expire after this many seconds (`EX`). */
  ex?: number;
  /** Expire after this many milliseconds (`PX`). */
  px?: number;
  /** Expire at this Unix time in seconds (`EXAT`). */
  exat?: number;
  /** Expire at this Unix time in milliseconds (`PXAT`). */
  pxat?: number;
  /** Keep the key's current time to live (`KEEPTTL`). */
  keepTtl?: boolean;
  /** Only set when the key does not exist (`NX`). */
  nx?: boolean;
  /** Only set when the key exists (`XX`). */
  xx?: boolean;
  /** Return the old value instead of OK (`GET`). */
  get?: boolean;
}

/**
 * Options of `Client.scan` and `Client.scanIterator`.
 *
 * @example
 * ```ts
 * import { connect, type ScanOptions } from "./mod.ts";
 * const options: ScanOptions = { match: "user:*", count: 500, type: "string" };
 * const client = await connect({ port: 8080 });
 * for await (const key of client.scanIterator(options)) console.log(key);
 * client.close();
 * ```
 */
export interface ScanOptions {
  /** Glob-style pattern keys must match (`MATCH`). */
  match?: string;
  /** How much work one call does, a hint (`COUNT`). */
  count?: number;
  /** Only keys of this type (`TYPE`). */
  type?: string;
}

/**
 * Options of `Client.hello`.
 *
 * @example
 * ```ts
 * import { connect, type HelloOptions } from "./mod.ts";
 * const options: HelloOptions = { setName: "worker-1" };
 * const client = await connect({ port: 8080 });
 * await client.hello(3, options);
 * client.close();
 * ```
 */
export interface HelloOptions {
  /** Authenticate in the same round trip. */
  auth?: { username: string; password: string };
  /** Name this connection (`SETNAME`). */
  setName?: string;
}

/**
 * The condition of EXPIRE and PEXPIRE (Redis 7): only when the key has no expiry (`NX`), has
 * one (`XX`), or when the new one is later (`GT`) or earlier (`LT`).
 *
 * @example
 * ```ts
 * import { connect, type ExpireCondition } from "./mod.ts";
 * const onlyExtend: ExpireCondition = "GT";
 * const client = await connect({ port: 8080 });
 * await client.expire("session", 3600, onlyExtend);
 * client.close();
 * ```
 */
export type ExpireCondition = "NX" | "XX" | "GT" | "LT";

/** SET's option words, in the order Redis documents them. */
export function setArgs(options: SetOptions): Arg[] {
  const args: Arg[] = [];
  if (options.nx) args.push("NX");
  if (options.xx) args.push("XX");
  if (options.get) args.push("GET");
  if (options.ex !== undefined) args.push("EX", options.ex);
  if (options.px !== undefined) args.push("PX", options.px);
  if (options.exat !== undefined) args.push("EXAT", options.exat);
  if (options.pxat !== undefined) args.push("PXAT", options.pxat);
  if (options.keepTtl) args.push("KEEPTTL");
  return args;
}
