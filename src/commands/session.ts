/**
 * What the server knows about one client connection that commands may read or change: its
 * selected database, protocol, name and so on. The server layer owns the socket; commands see
 * only this.
 */
import { ReplyWriter } from "../protocol/reply_writer.ts";

export class Session {
  readonly id: number;
  readonly remoteAddr: string;
  readonly localAddr: string;
  readonly createdAtMs: number;
  /** Where this client's replies are encoded. */
  readonly out = new ReplyWriter();
  db = 0;
  name = "";
  libName = "";
  libVersion = "";
  /** Last time a request arrived (idle timeout, CLIENT LIST `idle`). */
  lastInteractionMs: number;
  /** Name of the last command run (CLIENT LIST `cmd`). */
  lastCommand = "NULL";
  /** Set by QUIT or CLIENT KILL: replies so far are flushed, then the connection closes. */
  closeRequested = false;
  /** Hook for the server: how many bytes are queued for this client and the input buffer size. */
  stats = { queuedOutputBytes: 0, inputBufferBytes: 0 };

  constructor(id: number, remoteAddr: string, localAddr: string, nowMs: number) {
    this.id = id;
    this.remoteAddr = remoteAddr;
    this.localAddr = localAddr;
    this.createdAtMs = nowMs;
    this.lastInteractionMs = nowMs;
  }

  get protocol(): 2 | 3 {
    return this.out.protocol;
  }

  set protocol(version: 2 | 3) {
    this.out.protocol = version;
  }
}
