/**
 * The command line of `hermes cli`: flags first (as redis-cli spells them, plus long names),
 * then an optional command. Everything from the first word that is not a flag on is the
 * command, taken literally, so `hermes cli SET key --port` stores the text "--port".
 */

/** How replies are printed: as redis-cli does on a terminal, or raw for pipes. */
export type OutputFormat = "tty" | "raw";

/** What `hermes cli ...` asked for. */
export interface CliOptions {
  host: string;
  port: number;
  /** Sent with AUTH (or inside HELLO 3) on every connect. */
  password?: string;
  /** ACL user for AUTH. */
  user?: string;
  /** Database number or partition name selected on connect. */
  db: number | string;
  /** 3 sends HELLO 3 on connect. */
  protocol: 2 | 3;
  /** Connect over TLS (redis-cli's --tls, --cacert, --cert, --key). */
  tls?: { caCertFile?: string; certFile?: string; keyFile?: string };
  /** Forced output format; undefined picks tty when stdout is a terminal, raw otherwise. */
  format?: OutputFormat;
  /** The one command to run, or empty for the prompt / piped stdin. */
  command: string[];
}

/** What the command line asked for: run, or print something and exit. */
export type CliRequest =
  | { kind: "run"; options: CliOptions }
  | { kind: "help"; text: string }
  | { kind: "version" };

/** A bad flag or value; the CLI prints it with the usage and exits with status 2. */
export class CliUsageError extends Error {
  override name = "CliUsageError";
}

type ValueTarget = "host" | "port" | "password" | "user" | "db" | "cacert" | "cert" | "key";

const VALUE_FLAGS: Record<string, ValueTarget> = {
  "-h": "host",
  "--host": "host",
  "-p": "port",
  "--port": "port",
  "-a": "password",
  "--pass": "password",
  "--user": "user",
  "-n": "db",
  "--db": "db",
  "--cacert": "cacert",
  "--cert": "cert",
  "--key": "key",
};

/** Parses the arguments after `cli`. */
export function parseCliArgs(args: string[]): CliRequest {
  const options: CliOptions = { host: "127.0.0.1", port: 8080, db: 0, protocol: 2, command: [] };
  let i = 0;
  for (; i < args.length; i++) {
    const arg = args[i];
    if (!arg.startsWith("-") || arg === "-") break;
    if (arg === "--") {
      i++;
      break;
    }
    const eq = arg.startsWith("--") ? arg.indexOf("=") : -1;
    const name = eq > 0 ? arg.slice(0, eq) : arg;
    const target = VALUE_FLAGS[name];
    if (target) {
      let value: string;
      if (eq > 0) value = arg.slice(eq + 1);
      else if (i + 1 < args.length) value = args[++i];
      else throw new CliUsageError(`Option ${name} needs a value`);
      setValue(options, target, name, value);
      continue;
    }
    switch (name) {
      case "--help":
        return { kind: "help", text: usage() };
      case "--version":
        return { kind: "version" };
      case "-3":
      case "--resp3":
        options.protocol = 3;
        break;
      case "-2":
      case "--resp2":
        options.protocol = 2;
        break;
      case "--raw":
        options.format = "raw";
        break;
      case "--tls":
        options.tls ??= {};
        break;
      case "--no-raw":
        options.format = "tty";
        break;
      default:
        throw new CliUsageError(`Unknown option "${arg}"`);
    }
  }
  options.command = args.slice(i);
  return { kind: "run", options };
}

function setValue(options: CliOptions, target: ValueTarget, flag: string, value: string): void {
  switch (target) {
    case "cacert":
      (options.tls ??= {}).caCertFile = value;
      return;
    case "cert":
      (options.tls ??= {}).certFile = value;
      return;
    case "key":
      (options.tls ??= {}).keyFile = value;
      return;
    case "host":
      if (value === "") throw new CliUsageError(`Option ${flag} needs a host name`);
      options.host = value;
      return;
    case "port":
      options.port = integerIn(value, flag, 1, 65535);
      return;
    case "db":
      // Digits are a database number; anything else names a partition (the server checks it).
      if (value === "" || /^-?\d+$/.test(value)) {
        options.db = integerIn(value, flag, 0, 2 ** 31 - 1);
      } else options.db = value;
      return;
    case "password":
      options.password = value;
      return;
    case "user":
      options.user = value;
      return;
  }
}

function integerIn(value: string, flag: string, min: number, max: number): number {
  const n = /^\d+$/.test(value) ? Number(value) : NaN;
  if (!(n >= min && n <= max)) {
    throw new CliUsageError(
      `Cannot use "${value}" for ${flag}: expected an integer from ${min} to ${max}`,
    );
  }
  return n;
}

/** The `hermes cli --help` text. */
export function usage(): string {
  return [
    "Usage: hermes cli [options] [command [arg ...]]",
    "",
    "Without a command, opens a prompt (or, when stdin is not a terminal, runs the commands",
    "read from stdin, one per line). With a command, runs it, prints the reply and exits with",
    "status 0, or 1 when the reply is an error.",
    "",
    "Options:",
    "  -h, --host <host>   Server host (default: 127.0.0.1)",
    "  -p, --port <port>   Server port (default: 8080)",
    "  -a, --pass <pass>   Password, sent with AUTH on every connect",
    "  --user <name>       ACL user name for AUTH",
    "  -n, --db <index>    Database number or partition name to select (default: 0)",
    "  -3, --resp3         Speak RESP3 (sends HELLO 3 on connect)",
    "  --tls               Connect over TLS (implied by --cacert, --cert, --key)",
    "  --cacert <file>     CA certificate (PEM) to trust for the server's certificate",
    "  --cert <file>       Client certificate (PEM), with --key",
    "  --key <file>        Private key (PEM) of the client certificate",
    "  --raw               Print replies raw (the default when stdout is not a terminal)",
    "  --no-raw            Print replies formatted (the default on a terminal)",
    "  --help              Print this help and exit",
    "  --version           Print the version and exit",
    "",
    "History is kept in ~/.hermes_cli_history (HERMES_CLI_HISTFILE overrides the path; set it",
    "to an empty string to keep no history file).",
    "",
    "Examples:",
    "  hermes cli --port 8080",
    "  hermes cli SET greeting hello",
    "  printf 'INCR visits\\nGET visits\\n' | hermes cli",
  ].join("\n");
}
