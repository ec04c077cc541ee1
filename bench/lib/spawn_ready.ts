/**
 * Starts a Deno script that prints `ready on <host>:<port>` once it listens (Hermes, the bare
 * commit server) and waits for that line. Its stdout keeps being drained afterwards so the
 * child never blocks on a full pipe; its stderr goes to ours.
 */

export interface ReadyChild {
  child: Deno.ChildProcess;
  port: number;
  /** Resolves once the child's stdout has closed (after it exits). */
  drained: Promise<void>;
}

/** Runs `deno <args>` and resolves with the port from its ready line. */
export async function spawnUntilReady(args: string[]): Promise<ReadyChild> {
  const child = new Deno.Command(Deno.execPath(), {
    args,
    stdout: "piped",
    stderr: "inherit",
  }).spawn();
  const reader = child.stdout.pipeThrough(new TextDecoderStream()).getReader();
  let text = "";
  let port = 0;
  while (!port) {
    const { value, done } = await reader.read();
    if (done) throw new Error(`deno ${args.join(" ")} exited before it was ready:\n${text}`);
    text += value;
    port = Number(/ready on \S+:(\d+)/.exec(text)?.[1] ?? 0);
  }
  const drained = (async () => {
    while (!(await reader.read()).done) { /* discard */ }
  })();
  return { child, port, drained };
}
