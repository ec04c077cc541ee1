/**
 * The keyspace's {@linkcode Journal}, encoding each change as a log operation. The changes of
 * one command become one record (sealed by `commandEnd`), and the records of a whole actor
 * round collect in one buffer that the log writes at once.
 */
import type { Journal } from "../store/journal.ts";
import { RecordEncoder } from "./codec.ts";

export class WalJournal implements Journal {
  readonly encoder = new RecordEncoder();
  /** While true (replay), changes are not recorded: they come from the log itself. */
  muted = true;

  /** Records sealed so far; a command that changed data raises it. */
  get sealedRecords(): number {
    return this.encoder.sealed;
  }

  set(db: number, key: string, value: string, expireAtMs: number): void {
    if (!this.muted) this.encoder.set(db, key, value, expireAtMs);
  }

  delete(db: number, key: string): void {
    if (!this.muted) this.encoder.delete(db, key);
  }

  expire(db: number, key: string, expireAtMs: number): void {
    if (!this.muted) this.encoder.expire(db, key, expireAtMs);
  }

  flush(db: number): void {
    if (this.muted) return;
    if (db < 0) this.encoder.flushAll();
    else this.encoder.flushDb(db);
  }

  swap(a: number, b: number): void {
    if (!this.muted) this.encoder.swapDb(a, b);
  }

  commandEnd(): void {
    this.encoder.end();
  }
}
