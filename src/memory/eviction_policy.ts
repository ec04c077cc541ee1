/**
 * The maxmemory policies, as Redis names them (the order is that of Redis's CONFIG SET error),
 * and what each needs: which keys it may evict, and what per-key data it ranks them by.
 */
import { AccessKind } from "./access_clocks.ts";

export const EVICTION_POLICIES = [
  "volatile-lru",
  "volatile-lfu",
  "volatile-random",
  "volatile-ttl",
  "allkeys-lru",
  "allkeys-lfu",
  "allkeys-random",
  "noeviction",
] as const;
export type EvictionPolicy = typeof EVICTION_POLICIES[number];

/** How a policy picks: by sampled score into the pool, at random, or not at all. */
export type Ranking = "lru" | "lfu" | "ttl" | "random" | "none";

export interface PolicyTraits {
  /** Only keys with a deadline may go (volatile-*). */
  volatileOnly: boolean;
  ranking: Ranking;
  /** The per-key data the policy needs kept. */
  access: AccessKind;
}

export function policyTraits(policy: EvictionPolicy): PolicyTraits {
  const volatileOnly = policy.startsWith("volatile-");
  const ranking = policy === "noeviction" ? "none" : policy.split("-")[1] as Ranking;
  const access = ranking === "lru"
    ? AccessKind.lru
    : ranking === "lfu"
    ? AccessKind.lfu
    : AccessKind.none;
  return { volatileOnly, ranking, access };
}
