/**
 * The security layer: who each client is (AUTH, HELLO ... AUTH, requirepass), what it may run
 * (ACL users and rules), the ACL log and its counters, the ACL file, and protected mode. It
 * plugs into the dispatcher as two gates in Redis's order (NOAUTH before NOPERM) and into EXEC,
 * which checks the queued commands again as Redis 7 does.
 *
 * Free when unused: a client of the default user, when that user may run everything without a
 * password (as it starts), is never gated, so its commands pay nothing for any of this. A client
 * is gated while it must still authenticate or while its user has any restriction; every change
 * to users or passwords recomputes that for all clients.
 */
import type { Config } from "../config/settings.ts";
import { aclRulesChangedInExec, CommandError, Errors, noPermission } from "../commands/errors.ts";
import { type Gate, GateOrder } from "../commands/gates.ts";
import type { ServerControl } from "../commands/server_control.ts";
import type { Session } from "../commands/session.ts";
import type { CommandSpec } from "../commands/spec.ts";
import { AclCommandTable } from "./command_table.ts";
import { AclLog, type LogContext, type LogReason } from "./acl_log.ts";
import { aclFileText, defaultUser, parseAclFile, writeAclFile } from "./acl_file.ts";
import { checkCommand, Denial, userMayUseChannel, type Verdict } from "./permissions.ts";
import { DUMMY_HASH, hashPassword, sameHash } from "./password.ts";
import type { User } from "./user.ts";

/** What the security layer needs from the dispatcher. */
export interface SecurityHost {
  addGate(order: number, gate: Gate): void;
}

/** Counters for INFO stats (Redis 7.2's names). */
export interface AclStats {
  deniedAuth: number;
  deniedCommand: number;
  deniedKey: number;
  deniedChannel: number;
}

export type SecurityConfig = Pick<
  Config,
  "requirePass" | "aclFile" | "aclLogMaxLen" | "protectedMode"
>;

/** The ACL file could not be read or has errors; the message is for the user as is. */
export class AclFileError extends Error {
  override name = "AclFileError";
}

export class AccessControl {
  readonly table: AclCommandTable;
  readonly log = new AclLog();
  readonly stats: AclStats = { deniedAuth: 0, deniedCommand: 0, deniedKey: 0, deniedChannel: 0 };
  /** The `default` user: one object for the server's life (ACL LOAD copies rules into it). */
  readonly defaultUser: User;
  #users = new Map<string, User>();
  readonly #config: SecurityConfig;
  readonly #server: ServerControl;
  readonly #describeClient: (session: Session) => string;
  /** Whether a client of the default user must authenticate first (it has a password or is off). */
  #defaultNeedsAuth = false;

  constructor(
    host: SecurityHost,
    specs: readonly CommandSpec[],
    server: ServerControl,
    describeClient: (session: Session) => string,
  ) {
    this.table = new AclCommandTable(specs);
    this.#config = server.config;
    this.#server = server;
    this.#describeClient = describeClient;
    this.defaultUser = defaultUser(this.table);
    this.#users.set("default", this.defaultUser);
    host.addGate(GateOrder.auth, this.#authGate);
    host.addGate(GateOrder.acl, this.#aclGate);
  }

  /**
   * Loads the ACL file (when configured) and applies requirepass, before clients are accepted.
   * A missing file starts with the default user only (ACL SAVE creates it); a file with errors
   * throws AclFileError naming each bad line.
   */
  start(): void {
    const path = this.#config.aclFile;
    if (path !== "") {
      let bytes: Uint8Array | null = null;
      try {
        bytes = Deno.readFileSync(path);
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) {
          throw new AclFileError(`cannot read the ACL file ${path}: ${reasonOf(error)}`);
        }
      }
      if (bytes !== null) {
        const parsed = parseAclFile(bytes, path, this.table);
        if ("errors" in parsed) throw new AclFileError(`ACL file errors: ${parsed.errors}`);
        this.#install(parsed.users);
      }
    }
    // requirepass given with an ACL file sets the default user's password over the file's.
    if (this.#config.requirePass !== "" || path === "") this.applyRequirePass();
    this.refresh();
  }

  // --- Clients ---

  /**
   * A new client, or one that RESET: the default user, already authenticated when that user
   * needs no password (Redis's clientSetDefaultAuth).
   */
  admit(session: Session): void {
    session.user = this.defaultUser;
    session.authenticated = this.defaultUser.nopass && this.defaultUser.enabled;
    session.preAuth = !session.authenticated && this.#defaultNeedsAuth;
    session.addGateReason(needsSecurityGates);
  }

  /**
   * Whether a new connection from `remoteHost` must be refused by protected mode: on, the default
   * user has no password, and the client is not on the loopback interface (127.0.0.1 or ::1,
   * exactly as Redis 7.0 decides, whatever address the server listens on).
   */
  protectedModeRefuses(remoteHost: string): boolean {
    if (!this.#config.protectedMode || !this.defaultUser.nopass) return false;
    return remoteHost !== "127.0.0.1" && remoteHost !== "::1" && remoteHost !== "::ffff:127.0.0.1";
  }

  /**
   * Checks a username and password and, when they match an enabled user, logs the client in as
   * that user. The password is hashed and compared with every digest the user has, or with a
   * dummy digest when the user does not exist, so the time taken does not tell which. A failure
   * is counted and logged (reason `auth`).
   */
  authenticate(session: Session, username: string, password: string): boolean {
    const user = this.#users.get(username);
    const hash = hashPassword(password);
    const digests = user === undefined || user.passwords.length === 0
      ? [DUMMY_HASH]
      : user.passwords;
    let matched = false;
    for (const digest of digests) {
      if (sameHash(hash, digest)) matched = true; // no early exit
    }
    const ok = user !== undefined && user.enabled && (user.nopass || matched);
    if (!ok) {
      this.stats.deniedAuth++;
      this.#logDenial(session, "auth", session.multi ? "multi" : "toplevel", "AUTH", username);
      return false;
    }
    session.user = user;
    session.authenticated = true;
    this.#refreshSession(session);
    return true;
  }

  /** The users, sorted by name (ACL LIST, ACL USERS). */
  get users(): ReadonlyMap<string, User> {
    return this.#users;
  }

  /** Applies `requirepass` to the default user: its only password, or nopass when empty. */
  applyRequirePass(): void {
    const password = this.#config.requirePass;
    this.defaultUser.apply("resetpass");
    this.defaultUser.apply(password === "" ? "nopass" : `>${password}`);
    this.refresh();
  }

  /** Replaces (or creates) a user with `staged`'s rules; existing clients keep the same object. */
  commitUser(staged: User): void {
    const existing = this.#users.get(staged.name);
    if (existing) {
      existing.copyFrom(staged);
      this.#dropSubscribersNoLongerAllowed(existing);
    } else {
      this.#users.set(staged.name, staged);
    }
    this.refresh();
  }

  /**
   * As Redis 7.0's ACLKillPubsubClientsIfNeeded: a client of `user` subscribed to a channel (or
   * a pattern, compared literally) its rules no longer allow is disconnected.
   */
  #dropSubscribersNoLongerAllowed(user: User): void {
    for (const session of this.#server.sessions()) {
      const state = session.pubsub;
      if (session.user !== user || state === null || state.total === 0) continue;
      const allowed = [...state.channels, ...state.shardChannels].every((channel) =>
        userMayUseChannel(user, channel, false)
      ) && [...state.patterns].every((pattern) =>
        userMayUseChannel(user, pattern, true)
      );
      if (!allowed) this.#server.disconnect(session);
    }
  }

  /** Deletes users; their clients are disconnected (the caller's own after this reply). */
  deleteUsers(names: readonly string[]): number {
    let deleted = 0;
    const gone = new Set<User>();
    for (const name of names) {
      const user = this.#users.get(name);
      if (user === undefined || user === this.defaultUser) continue;
      this.#users.delete(name);
      gone.add(user);
      deleted++;
    }
    this.#disconnectUsers(gone);
    return deleted;
  }

  /** ACL LOAD: the file's users replace all users, or nothing changes and the errors are thrown. */
  load(): void {
    const path = this.#config.aclFile;
    let bytes: Uint8Array;
    try {
      bytes = Deno.readFileSync(path);
    } catch (error) {
      throw new CommandError(
        `ERR Error loading ACLs, opening file '${path}': ${reasonOf(error)}`,
      );
    }
    const parsed = parseAclFile(bytes, path, this.table);
    if ("errors" in parsed) throw new CommandError(`ERR ${parsed.errors}`);
    this.#install(parsed.users);
  }

  /** ACL SAVE: writes every user to the ACL file, atomically. */
  save(): void {
    writeAclFile(this.#config.aclFile, aclFileText(this.#users.values(), this.table));
  }

  /**
   * Recomputes, for every client, whether it must authenticate and whether it needs the gates
   * (after any change to users or passwords).
   */
  refresh(): void {
    this.#defaultNeedsAuth = !this.defaultUser.nopass || !this.defaultUser.enabled;
    for (const session of this.#server.sessions()) this.#refreshSession(session);
  }

  // --- Checks ---

  /** What `user` may do with this command; for ACL DRYRUN and the gates. */
  check(user: User, spec: CommandSpec, argv: string[]): Verdict {
    const command = this.table.of(spec);
    // A command outside the ACL table cannot be named by any rule: only an all-commands user runs it.
    if (command === undefined) {
      return { denial: user.root.allCommands ? Denial.none : Denial.command, argIndex: 0 };
    }
    return checkCommand(user, command, argv);
  }

  /**
   * EXEC's check of each queued command, with Redis 7.0's wording: the rules may have changed
   * since the command was queued. Null when it may run.
   */
  readonly execCheck = (session: Session, spec: CommandSpec, argv: string[]) => {
    if (session.user.unrestricted) return null;
    const verdict = this.check(session.user as User, spec, argv);
    if (verdict.denial === Denial.none) return null;
    this.#deny(session, spec, argv, verdict, "multi");
    return aclRulesChangedInExec(verdict.denial);
  };

  /** NOAUTH until the client authenticates, except for AUTH, HELLO, QUIT and RESET (no_auth). */
  readonly #authGate: Gate = (session, spec) => {
    if (!session.preAuth || spec.flags.includes("no_auth")) return null;
    return Errors.noAuth;
  };

  /** NOPERM for what the client's user may not run, touch or publish to; logged and counted. */
  readonly #aclGate: Gate = (session, spec, argv) => {
    if (session.user.unrestricted) return null;
    const verdict = this.check(session.user as User, spec, argv);
    if (verdict.denial === Denial.none) return null;
    this.#deny(session, spec, argv, verdict, session.multi ? "multi" : "toplevel");
    return noPermission(verdict.denial, spec.name);
  };

  #deny(
    session: Session,
    spec: CommandSpec,
    argv: string[],
    verdict: Verdict,
    context: LogContext,
  ): void {
    let reason: LogReason;
    let object: string;
    if (verdict.denial === Denial.command) {
      this.stats.deniedCommand++;
      reason = "command";
      object = spec.name;
    } else if (verdict.denial === Denial.key) {
      this.stats.deniedKey++;
      reason = "key";
      object = argv[verdict.argIndex];
    } else {
      this.stats.deniedChannel++;
      reason = "channel";
      object = argv[verdict.argIndex];
    }
    this.#logDenial(session, reason, context, object, session.user.name);
  }

  #logDenial(
    session: Session,
    reason: LogReason,
    context: LogContext,
    object: string,
    username: string,
  ): void {
    this.log.add({
      reason,
      context,
      object,
      username,
      updatedMs: Date.now(),
      clientInfo: this.#describeClient(session),
    }, this.#config.aclLogMaxLen);
  }

  #refreshSession(session: Session): void {
    session.preAuth = !session.authenticated && this.#defaultNeedsAuth;
    session.updateGated();
  }

  /** Takes a loaded set of users: the default user keeps its object, every other user is new. */
  #install(users: Map<string, User>): void {
    const loadedDefault = users.get("default")!;
    this.defaultUser.copyFrom(loadedDefault);
    users.set("default", this.defaultUser);
    const replaced = new Set<User>();
    for (const user of this.#users.values()) if (user !== this.defaultUser) replaced.add(user);
    this.#users = users;
    // As Redis 7.0: clients of the users that were replaced are disconnected.
    this.#disconnectUsers(replaced);
    this.refresh();
  }

  /**
   * Logs out and disconnects every client of `users`: set back to the default user and not
   * authenticated first, so nothing more runs as them (Redis's ACLFreeUserAndKillClients).
   */
  #disconnectUsers(users: ReadonlySet<User>): void {
    if (users.size === 0) return;
    for (const session of this.#server.sessions()) {
      if (!users.has(session.user as User)) continue;
      session.user = this.defaultUser;
      session.authenticated = false;
      this.#server.disconnect(session);
    }
    this.refresh();
  }
}

/** Gate reason: the client must authenticate, or its user has restrictions. */
function needsSecurityGates(session: Session): boolean {
  return session.preAuth || !session.user.unrestricted;
}

function reasonOf(error: unknown): string {
  if (error instanceof Deno.errors.NotFound) return "No such file or directory";
  if (error instanceof Deno.errors.PermissionDenied) return "Permission denied";
  return error instanceof Error ? error.message : String(error);
}
