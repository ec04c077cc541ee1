/**
 * Runs an external program (redis-cli, redis-benchmark) with optional stdin and a time limit,
 * for tests that drive real clients.
 */

export interface ToolResult {
  code: number;
  /** Standard output as a one-byte string (each char is one byte), so binary output survives. */
  stdout: string;
  stderr: string;
}

export interface RunToolOptions {
  /** Bytes (or ASCII text) written to the program's stdin, which is then closed. */
  stdin?: Uint8Array | string;
  /** The program is killed after this long and the run throws. Default 30 s. */
  timeoutMs?: number;
}

/** Runs `program args...` to completion and returns its exit code and output. */
export async function runTool(
  program: string,
  args: string[],
  options: RunToolOptions = {},
): Promise<ToolResult> {
  const timeoutMs = options.timeoutMs ?? 30_000;
  const child = new Deno.Command(program, {
    args,
    stdin: options.stdin === undefined ? "null" : "piped",
    stdout: "piped",
    stderr: "piped",
  }).spawn();
  let timedOut = false;
  const timer = setTimeout(() => {
    timedOut = true;
    try {
      child.kill("SIGKILL");
    } catch { /* already gone */ }
  }, timeoutMs);
  try {
    // Output is drained while stdin is written, so a chatty program never blocks on a full pipe.
    const stdout = collect(child.stdout);
    const stderr = collect(child.stderr);
    if (options.stdin !== undefined) {
      const bytes = typeof options.stdin === "string"
        ? Uint8Array.from(options.stdin, (c) => c.charCodeAt(0))
        : options.stdin;
      const writer = child.stdin.getWriter();
      await writer.write(bytes).catch(() => {}); // the program may exit before reading it all
      await writer.close().catch(() => {});
    }
    const [status, out, err] = await Promise.all([child.status, stdout, stderr]);
    if (timedOut) {
      throw new Error(
        `${program} ${args.join(" ")} did not finish in ${timeoutMs} ms\n` +
          `stdout: ${out.slice(-2000)}\nstderr: ${err.slice(-2000)}`,
      );
    }
    return { code: status.code, stdout: out, stderr: err };
  } finally {
    clearTimeout(timer);
  }
}

async function collect(stream: ReadableStream<Uint8Array>): Promise<string> {
  let text = "";
  for await (const chunk of stream) {
    for (let i = 0; i < chunk.length; i += 8192) {
      text += String.fromCharCode(...chunk.subarray(i, Math.min(i + 8192, chunk.length)));
    }
  }
  return text;
}

/** Rejects with a clear message when `promise` takes longer than `ms`. */
export async function withTimeout<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} did not finish in ${ms} ms`)), ms);
  });
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}
