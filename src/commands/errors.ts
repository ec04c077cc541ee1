/**
 * Errors as values that know their wire form. Clients match on these exact texts, so the fixed
 * ones are built once here and nowhere else.
 */

/** A refusal sent to the client as `-PREFIX message`; the connection and data stay intact. */
export class CommandError extends Error {
  override name = "CommandError";
  /** The whole reply line without the leading '-', e.g. `WRONGTYPE Operation against ...`. */
  readonly line: string;

  constructor(line: string) {
    super(line);
    this.line = line;
  }

  /** The error code clients and errorstats see: the first word (ERR, WRONGTYPE, ...). */
  get prefix(): string {
    const space = this.line.indexOf(" ");
    return space < 0 ? this.line : this.line.slice(0, space);
  }
}

/** The fixed error texts, word for word as Redis 7 sends them. */
export const Errors = {
  syntax: new CommandError("ERR syntax error"),
  notInteger: new CommandError("ERR value is not an integer or out of range"),
  notFloat: new CommandError("ERR value is not a valid float"),
  overflow: new CommandError("ERR increment or decrement would overflow"),
  incrFloatNaN: new CommandError("ERR increment would produce NaN or Infinity"),
  noSuchKey: new CommandError("ERR no such key"),
  wrongType: new CommandError("WRONGTYPE Operation against a key holding the wrong kind of value"),
  dbIndexRange: new CommandError("ERR DB index is out of range"),
  sameObject: new CommandError("ERR source and destination objects are the same"),
  maxClients: new CommandError("ERR max number of clients reached"),
  stringTooLong: new CommandError("ERR string exceeds maximum allowed size (proto-max-bulk-len)"),
  offsetRange: new CommandError("ERR offset is out of range"),
  invalidCursor: new CommandError("ERR invalid cursor"),
  noProto: new CommandError("NOPROTO unsupported protocol version"),
  internal: new CommandError("ERR internal error; the server logged the details"),
} as const;

/** `ERR invalid expire time in 'set' command`, for the command given. */
export function invalidExpireTime(command: string): CommandError {
  return new CommandError(`ERR invalid expire time in '${command}' command`);
}

/** `ERR wrong number of arguments for 'get' command`. */
export function wrongArity(fullName: string): CommandError {
  return new CommandError(`ERR wrong number of arguments for '${fullName}' command`);
}

/** Redis strips CR and LF from text echoed inside error replies. */
function oneLine(text: string): string {
  return text.replace(/[\r\n]/g, " ");
}

/** `ERR unknown command 'foo', with args beginning with: 'a' 'b' ` exactly as Redis words it. */
export function unknownCommand(argv: string[]): CommandError {
  let args = "";
  for (let i = 1; i < argv.length && args.length < 128; i++) {
    args += `'${argv[i].slice(0, 128 - args.length)}' `;
  }
  return new CommandError(
    oneLine(`ERR unknown command '${argv[0].slice(0, 128)}', with args beginning with: ${args}`),
  );
}

/** `ERR unknown subcommand 'foo'. Try CONFIG HELP.` */
export function unknownSubcommand(sub: string, container: string): CommandError {
  return new CommandError(
    oneLine(`ERR unknown subcommand '${sub.slice(0, 128)}'. Try ${container.toUpperCase()} HELP.`),
  );
}
