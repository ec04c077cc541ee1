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
  decrementOverflow: new CommandError("ERR decrement would overflow"),
  incrFloatNaN: new CommandError("ERR increment would produce NaN or Infinity"),
  noSuchKey: new CommandError("ERR no such key"),
  wrongType: new CommandError("WRONGTYPE Operation against a key holding the wrong kind of value"),
  dbIndexRange: new CommandError("ERR DB index is out of range"),
  sameObject: new CommandError("ERR source and destination objects are the same"),
  maxClients: new CommandError("ERR max number of clients reached"),
  stringTooLong: new CommandError("ERR string exceeds maximum allowed size (proto-max-bulk-len)"),
  offsetRange: new CommandError("ERR offset is out of range"),
  invalidCursor: new CommandError("ERR invalid cursor"),
  expireNxConflict: new CommandError(
    "ERR NX and XX, GT or LT options at the same time are not compatible",
  ),
  expireGtLtConflict: new CommandError("ERR GT and LT options at the same time are not compatible"),
  intRange: new CommandError(
    "ERR value is out of range, value must between -2147483648 and 2147483647",
  ),
  noProto: new CommandError("NOPROTO unsupported protocol version"),
  authNoPassword: new CommandError(
    "ERR AUTH <password> called without any password configured for the default user. " +
      "Are you sure your configuration is correct?",
  ),
  wrongPass: new CommandError("WRONGPASS invalid username-password pair or user is disabled."),
  noAuth: new CommandError("NOAUTH Authentication required."),
  resetNotNormal: new CommandError("ERR can only reset normal client connections"),
  protectedMode: new CommandError(
    "DENIED Redis is running in protected mode because protected mode is enabled and no " +
      "password is set for the default user. In this mode connections are only accepted from " +
      "the loopback interface. If you want to connect from external computers to Redis you " +
      "may adopt one of the following solutions: 1) Just disable protected mode sending the " +
      "command 'CONFIG SET protected-mode no' from the loopback interface by connecting to " +
      "Redis from the same host the server is running, however MAKE SURE Redis is not " +
      "publicly accessible from internet if you do so. Use CONFIG REWRITE to make this change " +
      "permanent. 2) Alternatively you can just disable the protected mode by editing the " +
      "Redis configuration file, and setting the protected mode option to 'no', and then " +
      "restarting the server. 3) If you started the server manually just for testing, " +
      "restart it with the '--protected-mode no' option. 4) Setup a an authentication " +
      "password for the default user. NOTE: You only need to do one of the above things in " +
      "order for the server to start accepting connections from the outside.",
  ),
  helloNoAuth: new CommandError(
    "NOAUTH HELLO must be called with the client already authenticated, otherwise the HELLO " +
      "AUTH <user> <pass> option can be used to authenticate the client and select the RESP " +
      "protocol version at the same time",
  ),
  protocolVersion: new CommandError("ERR Protocol version is not an integer or out of range"),
  clientName: new CommandError(
    "ERR Client names cannot contain spaces, newlines or special characters.",
  ),
  noSuchClient: new CommandError("ERR No such client"),
  clientIdPositive: new CommandError("ERR client-id should be greater than 0"),
  invalidClientId: new CommandError("ERR Invalid client ID"),
  invalidFirstDb: new CommandError("ERR invalid first DB index"),
  invalidSecondDb: new CommandError("ERR invalid second DB index"),
  noShutdown: new CommandError("ERR No shutdown in progress."),
  noConfigFile: new CommandError("ERR The server is running without a config file"),
  invalidCommand: new CommandError("ERR Invalid command specified"),
  noKeyArguments: new CommandError("ERR The command has no key arguments"),
  invalidCommandArgs: new CommandError("ERR Invalid number of arguments specified for command"),
  internal: new CommandError("ERR internal error; the server logged the details"),
} as const;

/** Memory limit and introspection texts (OOM gate, OBJECT, MEMORY), as Redis 7.0 sends them. */
export const MemoryErrors = {
  oom: new CommandError("OOM command not allowed when used memory > 'maxmemory'."),
  freqNotTracked: new CommandError(
    "ERR An LFU maxmemory policy is not selected, access frequency not tracked. Please note " +
      "that when switching between policies at runtime LRU and LFU data will take some time " +
      "to adjust.",
  ),
  idleNotTracked: new CommandError(
    "ERR An LFU maxmemory policy is selected, idle time not tracked. Please note that when " +
      "switching between policies at runtime LRU and LFU data will take some time to adjust.",
  ),
} as const;

/** MULTI/EXEC/WATCH texts, word for word as Redis 7 sends them. */
export const MultiErrors = {
  nested: new CommandError("ERR MULTI calls can not be nested"),
  execWithoutMulti: new CommandError("ERR EXEC without MULTI"),
  discardWithoutMulti: new CommandError("ERR DISCARD without MULTI"),
  watchInsideMulti: new CommandError("ERR WATCH inside MULTI is not allowed"),
  notAllowed: new CommandError("ERR Command not allowed inside a transaction"),
  execAbort: new CommandError("EXECABORT Transaction discarded because of previous errors."),
} as const;

/** A refused EXEC: `EXECABORT Transaction discarded because of: <the refusal>`. */
export function execAborted(error: CommandError): CommandError {
  return new CommandError(`EXECABORT Transaction discarded because of: ${error.line}`);
}

/** `ERR MULTI queue full ...`: a queued command would pass transaction-max-bytes. */
export function multiQueueFull(maxBytes: number): CommandError {
  return new CommandError(
    `ERR MULTI queue full: the queued commands would exceed transaction-max-bytes (${maxBytes})`,
  );
}

/** WATCH past max-watched-keys. */
export function tooManyWatchedKeys(limit: number): CommandError {
  return new CommandError(
    `ERR too many WATCHed keys: a client may watch at most ${limit} (max-watched-keys)`,
  );
}

/** BEGIN/COMMIT/ROLLBACK refusals (Hermes's own commands, worded like Redis's MULTI errors). */
export const TxErrors = {
  commitWithoutBegin: new CommandError("ERR COMMIT without BEGIN"),
  rollbackWithoutBegin: new CommandError("ERR ROLLBACK without BEGIN"),
  watchInsideBegin: new CommandError(
    "ERR WATCH is not allowed inside a BEGIN transaction (its reads are checked at COMMIT)",
  ),
} as const;

/** `ERR BEGIN calls can not be nested ...`. */
export function beginNested(openId: number): CommandError {
  return new CommandError(`ERR BEGIN calls can not be nested: transaction ${openId} is open`);
}

/** MULTI, SUBSCRIBE, SHUTDOWN, ... inside a BEGIN transaction. */
export function notAllowedInBegin(command: string): CommandError {
  return new CommandError(
    oneLine(
      `ERR ${command.replace("|", " ").toUpperCase()} is not allowed inside a BEGIN transaction`,
    ),
  );
}

/** `COMMIT <id>` / `ROLLBACK <id>` naming a transaction that is not the connection's open one. */
export function noSuchTransaction(id: string, openId: number | null): CommandError {
  const open = openId === null ? "" : ` (the open transaction is ${openId})`;
  return new CommandError(
    oneLine(`ERR no open transaction ${id.slice(0, 64)} on this connection${open}`),
  );
}

/** A key read by the transaction changed before COMMIT. */
export function conflictOnKey(id: number, db: number, key: string): CommandError {
  return new CommandError(oneLine(
    `CONFLICT transaction ${id} not committed: key '${key.slice(0, 128)}' in db ${db} was ` +
      "changed by another client after the transaction read it",
  ));
}

/** A database whose key set the transaction read (KEYS, SCAN, DBSIZE, ...) changed before COMMIT. */
export function conflictOnRange(id: number, db: number, key: string | null): CommandError {
  const what = key === null ? "was flushed or swapped" : `changed (key '${key.slice(0, 128)}')`;
  return new CommandError(oneLine(
    `CONFLICT transaction ${id} not committed: db ${db} ${what} after the transaction read ` +
      "its key set",
  ));
}

/** A partition the transaction writes to was dropped before COMMIT. */
export function conflictOnDropped(id: number, db: number): CommandError {
  return new CommandError(
    `CONFLICT transaction ${id} not committed: partition ${db}, which it writes, was dropped`,
  );
}

/** Statements of a transaction the server already rolled back (timeout). */
export function transactionTimedOut(id: number, seconds: number, hint: boolean): CommandError {
  return new CommandError(
    `ERR transaction ${id} timed out after ${seconds} seconds and was rolled back` +
      (hint ? "; send ROLLBACK to end it" : ""),
  );
}

/** A statement that would pass transaction-max-keys. */
export function transactionTooManyKeys(id: number, limit: number): CommandError {
  return new CommandError(
    `ERR transaction ${id} would write more than ${limit} keys (transaction-max-keys); ` +
      "the command was not applied",
  );
}

/** A statement that would pass transaction-max-bytes. */
export function transactionTooManyBytes(id: number, limit: number): CommandError {
  return new CommandError(
    `ERR transaction ${id} would buffer more than ${limit} bytes of changes ` +
      "(transaction-max-bytes); the command was not applied",
  );
}

/** `ERR invalid expire time in 'set' command`, for the command given. */
export function invalidExpireTime(command: string): CommandError {
  return new CommandError(`ERR invalid expire time in '${command}' command`);
}

/** `ERR Unsupported option foo` (EXPIRE's NX/XX/GT/LT list), echoing the word as given. */
export function unsupportedOption(word: string): CommandError {
  return new CommandError(oneLine(`ERR Unsupported option ${word}`));
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

/**
 * `ERR unknown subcommand or wrong number of arguments for 'CHANNELS'. Try PUBSUB HELP.`: a
 * subcommand given arguments it does not take (the subcommand as the client wrote it).
 */
export function subcommandSyntax(sub: string, container: string): CommandError {
  return new CommandError(
    oneLine(
      `ERR unknown subcommand or wrong number of arguments for '${sub.slice(0, 128)}'. ` +
        `Try ${container.toUpperCase()} HELP.`,
    ),
  );
}

/** A RESP2 client with subscriptions may only run the pub/sub commands, PING, QUIT and RESET. */
export function notInSubscribedContext(fullName: string): CommandError {
  return new CommandError(
    `ERR Can't execute '${fullName}': only (P|S)SUBSCRIBE / (P|S)UNSUBSCRIBE / PING / QUIT / ` +
      "RESET are allowed in this context",
  );
}

/** A channel or pattern name past `max-channel` (Hermes's limit; Redis has none). */
export function channelNameTooLong(limitBytes: number): CommandError {
  return new CommandError(
    `ERR channel or pattern name is longer than max-channel (${limitBytes} bytes)`,
  );
}

/** A SUBSCRIBE that would take a client past `max-subscriptions` (Hermes's limit). */
export function tooManySubscriptions(limit: number): CommandError {
  return new CommandError(
    `ERR too many subscriptions for one client (max-subscriptions is ${limit})`,
  );
}

/** `ERR Syntax error in HELLO option 'x'`. */
export function helloOptionSyntax(option: string): CommandError {
  return new CommandError(oneLine(`ERR Syntax error in HELLO option '${option}'`));
}

/** `ERR Unknown client type 'x'` (CLIENT LIST TYPE, CLIENT KILL TYPE). */
export function unknownClientType(type: string): CommandError {
  return new CommandError(oneLine(`ERR Unknown client type '${type}'`));
}

/** `ERR No such user 'x'` (CLIENT KILL USER). */
export function noSuchUser(user: string): CommandError {
  return new CommandError(oneLine(`ERR No such user '${user}'`));
}

/** `ERR Unrecognized option 'x'` (CLIENT SETINFO). */
export function unrecognizedOption(option: string): CommandError {
  return new CommandError(oneLine(`ERR Unrecognized option '${option}'`));
}

/** `ERR lib-name cannot contain spaces, newlines or special characters.` (CLIENT SETINFO). */
export function attributeChars(attribute: string): CommandError {
  return new CommandError(
    oneLine(`ERR ${attribute} cannot contain spaces, newlines or special characters.`),
  );
}

/** `ERR Unknown option or number of arguments for CONFIG SET - 'x'`. */
export function unknownConfigOption(name: string): CommandError {
  return new CommandError(
    oneLine(`ERR Unknown option or number of arguments for CONFIG SET - '${name}'`),
  );
}

/** `ERR CONFIG SET failed (possibly related to argument 'x') - reason`. */
export function configSetFailed(name: string, reason: string): CommandError {
  return new CommandError(
    oneLine(`ERR CONFIG SET failed (possibly related to argument '${name}') - ${reason}`),
  );
}

/** `MISCONF Errors writing to the AOF file: <cause>`: writes refused while the log fails. */
export function logWriteFailed(cause: string): CommandError {
  return new CommandError(oneLine(`MISCONF Errors writing to the AOF file: ${cause}`));
}

/** BGREWRITEAOF's refusals. */
export const CompactionErrors = {
  inProgress: new CommandError("ERR Background append only file rewriting already in progress"),
  persistenceOff: new CommandError(
    "ERR Background append only file rewriting is not possible: persistence is off (--persistence none)",
  ),
  logFailing: new CommandError(
    "ERR Background append only file rewriting not started: the log cannot be written (see INFO persistence)",
  ),
} as const;

/** Partitions (partitions.ts): definitions, selection and schemas. */
export const PartitionErrors = {
  notFound: new CommandError("ERR partition not found"),
  dropped: new CommandError(
    "ERR the selected partition was dropped; SELECT a database or partition",
  ),
} as const;

/** Quotes user text inside an error: one line, at most 128 bytes. */
function quoted(text: string): string {
  return `'${oneLine(text.slice(0, 128))}'`;
}

/** `ERR partition 'users' already exists`. */
export function partitionExists(name: string): CommandError {
  return new CommandError(`ERR partition ${quoted(name)} already exists`);
}

/** CREATE PARTITION with a name that cannot name a partition. */
export function invalidPartitionName(name: string): CommandError {
  return new CommandError(
    `ERR invalid partition name ${quoted(name)}: use 1 to 64 letters, digits, '_', '-' or ':', ` +
      `and not a number`,
  );
}

/** CREATE PARTITION with a schema other than INT, STRING or ANY. */
export function invalidValueType(word: string): CommandError {
  return new CommandError(
    `ERR invalid value type ${quoted(word)} for a partition (expected INT, STRING or ANY)`,
  );
}

/** CREATE PARTITION with a persistence mode other than WAL or NONE. */
export function invalidPersistenceMode(word: string): CommandError {
  return new CommandError(
    `ERR invalid persistence mode ${quoted(word)} for a partition (expected WAL or NONE)`,
  );
}

/** CREATE PARTITION past `--max-partitions`. */
export function tooManyPartitions(max: number): CommandError {
  return new CommandError(`ERR too many partitions (max-partitions is ${max})`);
}

/** `ERR value is not an integer for partition 'users' (schema INT)`, as the issue words it. */
export function notIntegerForPartition(name: string): CommandError {
  return new CommandError(`ERR value is not an integer for partition ${quoted(name)} (schema INT)`);
}

/** A value of another type moved or copied into a STRING partition. */
export function notStringForPartition(name: string): CommandError {
  return new CommandError(
    `ERR value is not a string for partition ${quoted(name)} (schema STRING)`,
  );
}

/** A command whose writes cannot fit the partition's schema (APPEND in INT, LPUSH in STRING). */
export function commandNotAllowedInPartition(
  command: string,
  name: string,
  schema: string,
): CommandError {
  return new CommandError(
    `ERR command ${quoted(command)} is not allowed in partition ${quoted(name)} (schema ${schema})`,
  );
}

/** ACL refusals and ACL command errors, word for word as Redis 7.0 sends them. */
export const AclErrors = {
  usernameSpaces: new CommandError("ERR Usernames can't contain spaces or null characters"),
  deleteDefault: new CommandError("ERR The 'default' user cannot be removed"),
  genpassBits: new CommandError(
    "ERR ACL GENPASS argument must be the number of bits for the output password, a positive " +
      "number up to 4096",
  ),
  noAclFile: new CommandError(
    "ERR This Redis instance is not configured to use an ACL file. You may want to specify " +
      "users via the ACL SETUSER command and then issue a CONFIG REWRITE (assuming you have a " +
      "Redis configuration file set) in order to store users in the Redis configuration.",
  ),
  saveFailed: new CommandError(
    "ERR There was an error trying to save the ACLs. Please check the server logs for more " +
      "information",
  ),
  noPermKey: new CommandError(
    "NOPERM this user has no permissions to access one of the keys used as arguments",
  ),
  noPermChannel: new CommandError(
    "NOPERM this user has no permissions to access one of the channels used as arguments",
  ),
} as const;

/** NOPERM for a refused command (`denial` 1), key (2) or channel (4), as processCommand words it. */
export function noPermission(denial: number, fullName: string): CommandError {
  if (denial === 2) return AclErrors.noPermKey;
  if (denial === 4) return AclErrors.noPermChannel;
  return new CommandError(
    `NOPERM this user has no permissions to run the '${fullName}' command`,
  );
}

/** The error EXEC puts in place of a queued command the user may no longer run. */
export function aclRulesChangedInExec(denial: number): CommandError {
  const reason = denial === 2
    ? "no permission to touch the specified keys"
    : denial === 4
    ? "no permission to access one of the channels used as arguments"
    : "no permission to execute the command or subcommand";
  return new CommandError(
    "NOPERM ACLs rules changed between the moment the transaction was accumulated and the EXEC " +
      `call. This command is no longer allowed for the following reason: ${reason}`,
  );
}

/** `ERR Error in ACL SETUSER modifier '<rule>': <why>`. */
export function aclModifierError(rule: string, why: string): CommandError {
  return new CommandError(oneLine(`ERR Error in ACL SETUSER modifier '${rule}': ${why}`));
}

/** `ERR Unmatched parenthesis in acl selector starting at '<rule>'.` */
export function aclUnmatchedParenthesis(rule: string): CommandError {
  return new CommandError(
    oneLine(`ERR Unmatched parenthesis in acl selector starting at '${rule}'.`),
  );
}

/** `ERR Unknown category 'x'` (ACL CAT). */
export function unknownCategory(name: string): CommandError {
  return new CommandError(oneLine(`ERR Unknown category '${name.slice(0, 128)}'`));
}

/** `ERR User 'x' not found` (ACL DRYRUN). */
export function aclUserNotFound(name: string): CommandError {
  return new CommandError(oneLine(`ERR User '${name}' not found`));
}

/** `ERR Command 'x' not found` (ACL DRYRUN). */
export function aclCommandNotFound(name: string): CommandError {
  return new CommandError(oneLine(`ERR Command '${name}' not found`));
}

/** Refusals of the observability commands (SLOWLOG, LATENCY, MONITOR). */
export const ObservabilityErrors = {
  slowlogCount: new CommandError("ERR count should be greater than or equal to -1"),
  /** Commands that touch keys, sent by a client in MONITOR mode (Redis treats it as a replica). */
  monitorKeyspace: new CommandError("ERR Replica can't interact with the keyspace"),
  monitorInTransaction: new CommandError("ERR MONITOR isn't allowed for DENY BLOCKING client"),
} as const;

/** `ERR No samples available for event 'x'` (LATENCY GRAPH). */
export function noLatencySamples(event: string): CommandError {
  return new CommandError(oneLine(`ERR No samples available for event '${event}'`));
}
