/** Typed helpers for sets (SADD, SMEMBERS, SINTER, ...). */
import type { Arg } from "../encode_command.ts";
import { expectArray, integer } from "../reply_values.ts";
import type { Value } from "./base.ts";
import { ListCommands } from "./lists.ts";

/** Typed helpers for set values. */
export abstract class SetCommands<V extends Value = string> extends ListCommands<V> {
  /**
   * SADD: adds members; resolves to how many were new.
   *
   * @example
   * ```ts
   * import { open } from "../../../mod.ts";
   * await using db = await open({ persistence: "none" });
   * await db.sadd("tags", "deno", "redis", "deno"); // 2
   * await db.sismember("tags", "deno"); // true
   * (await db.smembers("tags")).sort(); // ["deno", "redis"]
   * ```
   */
  async sadd(key: Arg, ...members: Arg[]): Promise<number> {
    return integer(await this.send("SADD", key, ...members), "SADD");
  }

  /** SREM: how many of the members were there and were removed. */
  async srem(key: Arg, ...members: Arg[]): Promise<number> {
    return integer(await this.send("SREM", key, ...members), "SREM");
  }

  /** SMEMBERS: every member, in no particular order. */
  async smembers(key: Arg): Promise<V[]> {
    return this.values(await this.send("SMEMBERS", key));
  }

  /** SISMEMBER: whether `member` is in the set. */
  async sismember(key: Arg, member: Arg): Promise<boolean> {
    return integer(await this.send("SISMEMBER", key, member), "SISMEMBER") === 1;
  }

  /** SMISMEMBER: for each member, whether it is in the set. */
  async smismember(key: Arg, ...members: Arg[]): Promise<boolean[]> {
    const reply = expectArray(await this.send("SMISMEMBER", key, ...members));
    return reply.map((item) => integer(item, "SMISMEMBER") === 1);
  }

  /** SCARD: how many members the set has (0 when the key does not exist). */
  async scard(key: Arg): Promise<number> {
    return integer(await this.send("SCARD", key), "SCARD");
  }

  /** SPOP: removes and returns a random member, or null when the set does not exist. */
  spop(key: Arg): Promise<V | null>;
  /** SPOP with a count: up to `count` random members, removed. */
  spop(key: Arg, count: number): Promise<V[]>;
  async spop(key: Arg, count?: number): Promise<V | V[] | null> {
    if (count === undefined) return this.valueOrNull(await this.send("SPOP", key));
    return this.values(await this.send("SPOP", key, count));
  }

  /** SRANDMEMBER: a random member, or null when the set does not exist. */
  srandMember(key: Arg): Promise<V | null>;
  /** SRANDMEMBER with a count: up to `count` distinct members (negative: may repeat). */
  srandMember(key: Arg, count: number): Promise<V[]>;
  async srandMember(key: Arg, count?: number): Promise<V | V[] | null> {
    if (count === undefined) return this.valueOrNull(await this.send("SRANDMEMBER", key));
    return this.values(await this.send("SRANDMEMBER", key, count));
  }

  /** SMOVE: moves `member` from `source` to `destination`; false when it was not in `source`. */
  async smove(source: Arg, destination: Arg, member: Arg): Promise<boolean> {
    return integer(await this.send("SMOVE", source, destination, member), "SMOVE") === 1;
  }

  /** SINTER: the members in every one of the sets. */
  async sinter(...keys: Arg[]): Promise<V[]> {
    return this.values(await this.send("SINTER", ...keys));
  }

  /** SINTERCARD: how many members are in every one of the sets (stopping at `limit`). */
  async sinterCard(keys: Arg[], options: { limit?: number } = {}): Promise<number> {
    const args: Arg[] = ["SINTERCARD", keys.length, ...keys];
    if (options.limit !== undefined) args.push("LIMIT", options.limit);
    return integer(await this.send(...args), "SINTERCARD");
  }

  /** SUNION: the members in any of the sets. */
  async sunion(...keys: Arg[]): Promise<V[]> {
    return this.values(await this.send("SUNION", ...keys));
  }

  /** SDIFF: the members of the first set that are in none of the others. */
  async sdiff(...keys: Arg[]): Promise<V[]> {
    return this.values(await this.send("SDIFF", ...keys));
  }

  /** SINTERSTORE: stores SINTER of `keys` in `destination`; its size. */
  async sinterStore(destination: Arg, ...keys: Arg[]): Promise<number> {
    return integer(await this.send("SINTERSTORE", destination, ...keys), "SINTERSTORE");
  }

  /** SUNIONSTORE: stores SUNION of `keys` in `destination`; its size. */
  async sunionStore(destination: Arg, ...keys: Arg[]): Promise<number> {
    return integer(await this.send("SUNIONSTORE", destination, ...keys), "SUNIONSTORE");
  }

  /** SDIFFSTORE: stores SDIFF of `keys` in `destination`; its size. */
  async sdiffStore(destination: Arg, ...keys: Arg[]): Promise<number> {
    return integer(await this.send("SDIFFSTORE", destination, ...keys), "SDIFFSTORE");
  }
}
