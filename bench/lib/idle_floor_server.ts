/**
 * The floor under bench/idle_clients.ts: a Deno server that does nothing but answer +PONG,
 * each connection reading into its own 1 KB buffer (what an idle Hermes client keeps). What
 * an idle connection costs here is Deno's own cost per socket and pending read.
 *
 *   deno run --allow-net bench/lib/idle_floor_server.ts
 */
const listener = Deno.listen({ hostname: "127.0.0.1", port: 0 });
console.log(`ready on 127.0.0.1:${(listener.addr as Deno.NetAddr).port}`);
const PONG = new TextEncoder().encode("+PONG\r\n");
for await (const conn of listener) {
  (async () => {
    const buffer = new Uint8Array(1024);
    try {
      while ((await conn.read(buffer)) !== null) await conn.write(PONG);
    } catch { /* the client went away */ }
  })();
}
