/**
 * A malformed request. The connection answers `-ERR Protocol error: <message>` and then closes,
 * as Redis does, because the rest of the stream can no longer be framed.
 */
export class ProtocolError extends Error {
  override name = "ProtocolError";

  /** The full error line as sent to the client (without the leading `-`). */
  get reply(): string {
    return `ERR Protocol error: ${this.message}`;
  }
}
