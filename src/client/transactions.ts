/**
 * Both kinds of transaction from the client side: a MULTI/EXEC block ({@linkcode MultiBlock},
 * with WATCH for optimistic checks) and Hermes's interactive BEGIN/COMMIT transactions run by
 * {@linkcode runTransaction}, which retries on CONFLICT with backoff.
 */
import type { Arg } from "./encode_command.ts";
import { ReplyError, type RespValue } from "./resp_decoder.ts";

/** What a MULTI block needs from a client: `Client` has it. */
export interface MultiTarget {
  /** Sends the commands together; replies in order, error replies as values. */
  pipeline(commands: Arg[][]): Promise<RespValue[]>;
}

/**
 * Commands collected for MULTI ... EXEC, sent in one write by {@linkcode MultiBlock.exec}.
 *
 * @example
 * ```ts
 * import { connect } from "./mod.ts";
 * const client = await connect({ port: 8080 });
 * await client.watch("balance");
 * const balance = Number(await client.get("balance"));
 * const replies = await client.multi().send("SET", "balance", balance - 10).exec();
 * if (replies === null) console.log("balance changed meanwhile: try again");
 * client.close();
 * ```
 */
export class MultiBlock {
  readonly #target: MultiTarget;
  #commands: Arg[][] = [];

  /** A block for `target`; usually made with `client.multi()`. */
  constructor(target: MultiTarget) {
    this.#target = target;
  }

  /** Adds one command; returns the block so calls chain. */
  send(...args: Arg[]): this {
    if (args.length === 0) throw new TypeError("Cannot add an empty command to a MULTI block");
    this.#commands.push(args);
    return this;
  }

  /** How many commands are queued. */
  get length(): number {
    return this.#commands.length;
  }

  /**
   * Sends MULTI, the commands and EXEC in one write. Resolves to the commands' replies (an error
   * at run time is a `ReplyError` in its place), or to null when a WATCHed key changed and
   * nothing ran. A command refused while queueing (unknown, wrong arity) rejects with the
   * EXECABORT error, whose `cause` is that first refusal.
   */
  async exec(): Promise<RespValue[] | null> {
    const commands = this.#commands;
    this.#commands = [];
    const replies = await this.#target.pipeline([["MULTI"], ...commands, ["EXEC"]]);
    if (replies[0] instanceof ReplyError) throw replies[0];
    const result = replies[replies.length - 1];
    if (result instanceof ReplyError) {
      const refused = replies.slice(1, -1).find((r) => r instanceof ReplyError);
      throw new ReplyError(result.message, { cause: refused });
    }
    if (result === null) return null;
    if (!Array.isArray(result)) {
      throw new TypeError(`Cannot read EXEC reply "${String(result)}": expected an array`);
    }
    return result;
  }
}

/** How {@linkcode runTransaction} retries a transaction that met a CONFLICT. */
export interface TransactionOptions {
  /** Attempts after the first (default 10); the last CONFLICT is thrown. */
  retries?: number;
  /** First backoff in ms, doubled each retry with jitter (default 2). */
  backoffMs?: number;
  /** Longest backoff in ms (default 200). */
  maxBackoffMs?: number;
}

/** What an interactive transaction needs from a client: `Client` has it. */
export interface TransactionTarget {
  /** Sends one command; an error reply is thrown. */
  send(...args: Arg[]): Promise<RespValue>;
}

/**
 * Runs `body` inside BEGIN ... COMMIT on `client` and resolves to what it returned. When COMMIT
 * answers CONFLICT (something the transaction read was changed by another client), the whole
 * body runs again after a growing random backoff, up to `retries` times. When `body` throws, the
 * transaction is rolled back and the error rethrown.
 *
 * Every command sent on `client` while `body` runs is part of the transaction, so give the
 * transaction a client of its own.
 */
export async function runTransaction<C extends TransactionTarget, T>(
  client: C,
  body: (tx: C, id: number) => Promise<T>,
  options: TransactionOptions = {},
): Promise<T> {
  const retries = options.retries ?? 10;
  let backoff = options.backoffMs ?? 2;
  const maxBackoff = options.maxBackoffMs ?? 200;
  for (let attempt = 0;; attempt++) {
    const id = Number(await client.send("BEGIN"));
    let result: T;
    try {
      result = await body(client, id);
    } catch (error) {
      await client.send("ROLLBACK", id).catch(() => {}); // it may already be over (timeout)
      throw error;
    }
    try {
      await client.send("COMMIT", id);
      return result;
    } catch (error) {
      if (!(error instanceof ReplyError) || error.code !== "CONFLICT" || attempt >= retries) {
        throw error;
      }
    }
    await new Promise((resolve) => setTimeout(resolve, backoff * (0.5 + Math.random())));
    backoff = Math.min(maxBackoff, backoff * 2);
  }
}
