/** What the command families (command_families.ts, typed_families.ts) are made of and share. */
import { type Commands, ReplyError } from "../../src/client/mod.ts";

/** What a family test gets: the store under test and a way to make another client of it. */
export interface Target {
  db: Commands;
  /** Another client of the same store, with its own connection state; closed by the caller. */
  another(): Promise<Commands & { close(): void }>;
}

/** A family: a sentence naming what it checks, and the check. */
export interface Family {
  name: string;
  run(target: Target): Promise<void>;
}

export const WRONGTYPE = "WRONGTYPE Operation against a key holding the wrong kind of value";

/** An assertRejects check: a ReplyError with exactly this message. */
export function replyError(message: string): (error: unknown) => boolean {
  return (error: unknown) => error instanceof ReplyError && error.message === message;
}
