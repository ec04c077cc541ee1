/**
 * Who decides that a key has expired, as Redis 7.0 does (db.c expireIfNeeded, lookupKey).
 *
 * On a primary the keyspace does: a key met past its deadline is removed and the removal
 * journaled (the log and the replicas drop it as a DEL), and active expiry samples keys.
 *
 * On a replica its primary does, so the two never disagree and the replica's log holds only the
 * primary's deletions: a key past its deadline reads as missing for the replica's clients but
 * stays (counted by DBSIZE) until the primary's DEL arrives; the primary's own commands still see
 * it (Redis's master client); active expiry does not run; a deadline given in the past is set,
 * not acted on (Redis's checkAlreadyExpired); and a write on a writable replica removes an
 * expired key it meets (Redis's LOOKUP_WRITE), locally.
 *
 * A keyspace only consults this when it meets a key past its deadline, so a primary pays
 * nothing for it.
 */

/** What a command does with a key it meets past its deadline. */
export const Expired = {
  /** Remove it and journal the removal: a primary; a write on a writable replica. */
  remove: 0,
  /** Answer as if it were missing and keep it: the clients of a replica. */
  hide: 1,
  /** Treat it as live: the primary's stream applied on a replica. */
  keep: 2,
} as const;
export type ExpiredAction = typeof Expired[keyof typeof Expired];

export class ExpiryPolicy {
  #followsPrimary = false;
  /** What the command running now does with an expired key (set per command on a replica). */
  action: ExpiredAction = Expired.remove;

  /** Set while this server is a replica: its primary decides expiry. */
  get followsPrimary(): boolean {
    return this.#followsPrimary;
  }

  set followsPrimary(on: boolean) {
    this.#followsPrimary = on;
    this.action = on ? Expired.hide : Expired.remove;
  }

  /**
   * Whether a deadline a write gives is already past, so the key is deleted instead of kept
   * with it: never on a replica, whose primary sends the DEL (Redis's checkAlreadyExpired).
   */
  passed(deadline: number, now: number): boolean {
    return deadline <= now && !this.#followsPrimary;
  }

  /**
   * Whether a key with `deadline` (0: none) is gone for good at `now`, so a snapshot or a
   * restart leaves it out: never on a replica, where only the primary's DEL removes a key (as a
   * Redis replica keeps expired keys when it loads an RDB).
   */
  dropsAt(deadline: number, now: number): boolean {
    return deadline !== 0 && now > deadline && !this.#followsPrimary;
  }
}
