/**
 * What an evicting SET costs inside the server, apart from the network and the machine's drift:
 * this tree and another commit run in one process, in turns, each with a store of its own
 * (`--persistence none`, allkeys-lru) filled to a limit 16 MB above its empty state with 300,000
 * keys of 100 bytes; then 300,000 SETs of new keys go straight to its dispatcher (every one
 * evicting one key). Reports ns per SET, each round's ratio, and the medians; `--lifted` runs the
 * same with the limit lifted after the load (no eviction).
 *
 *   deno run -A --v8-flags=--max-semi-space-size=8,--expose-gc bench/evicting_set.ts --baseline <ref>
 *
 * Pin it to one core (`taskset -c 0`) for steadier figures.
 */
import { parseArgs } from "node:util";
import { checkOutBaseline } from "./lib/baseline.ts";
import { median } from "./lib/stats.ts";

const { values } = parseArgs({
  options: {
    baseline: { type: "string", default: "HEAD" },
    rounds: { type: "string", default: "6" },
    lifted: { type: "boolean", default: false },
  },
});
const ROUNDS = Number(values.rounds);
const SETS = 300_000;
const VALUE = "v".repeat(100);
const THIS_TREE = new URL("..", import.meta.url).pathname;

/** The modules of one tree that the run needs. */
async function treeModules(tree: string) {
  return {
    openStore: (await import(`${tree}/src/embedded/store.ts`)).openStore,
    DEFAULT_CONFIG: (await import(`${tree}/src/config/settings.ts`)).DEFAULT_CONFIG,
    Session: (await import(`${tree}/src/commands/session.ts`)).Session,
    Logger: (await import(`${tree}/src/log/logger.ts`)).Logger,
  };
}

const newKeys = Array.from(
  { length: SETS },
  () => ["SET", `key:${10_000_000 + Math.floor(Math.random() * 10_000_000)}`, VALUE],
);

/** ns per SET of one round on `tree`'s modules. */
async function round(modules: Awaited<ReturnType<typeof treeModules>>): Promise<number> {
  const config = {
    ...modules.DEFAULT_CONFIG,
    persistence: "none",
    maxmemoryPolicy: "allkeys-lru",
  };
  const store = await modules.openStore(config, { log: new modules.Logger("error") });
  const session = new modules.Session(1, "127.0.0.1:1", "127.0.0.1:2", 0);
  const run = (...argv: string[]): string => {
    store.dispatcher.run(session, argv);
    return new TextDecoder().decode(session.out.take());
  };
  try {
    const used = Number(/used_memory:(\d+)/.exec(run("INFO", "memory"))![1]);
    run("CONFIG", "SET", "maxmemory", String(used + 16 * 1024 * 1024));
    for (let i = 0; i < 300_000; i++) {
      store.dispatcher.run(session, ["SET", `key:${String(i).padStart(8, "0")}`, VALUE]);
      if (i % 1000 === 999) {
        session.out.take();
        store.dispatcher.endRound();
      }
    }
    if (values.lifted) run("CONFIG", "SET", "maxmemory", "0");
    // The previous round's store is garbage now: collected here, not during this round's SETs.
    (globalThis as { gc?: () => void }).gc?.();
    const started = performance.now();
    for (let i = 0; i < SETS; i++) {
      store.dispatcher.run(session, newKeys[i]);
      if (i % 100 === 99) {
        session.out.take();
        store.dispatcher.endRound();
        await 0; // lets the store's timers and microtasks in, as between rounds
      }
    }
    return (performance.now() - started) / SETS * 1e6;
  } finally {
    session.out.take();
    await store.close();
  }
}

const baseline = await checkOutBaseline(values.baseline);
try {
  const trees = [baseline.tree, THIS_TREE];
  const modules = await Promise.all(trees.map(treeModules));
  const ns: number[][] = [[], []];
  for (let r = 0; r < ROUNDS; r++) {
    for (let t = 0; t < 2; t++) ns[t].push(await round(modules[t]));
  }
  const label = values.lifted ? "limit lifted" : "evicting";
  console.log(`SET of a new key, ${label}, ns per SET (${ROUNDS} rounds, taking turns):`);
  console.log(`  ${baseline.commit.padEnd(10)} ${ns[0].map((v) => v.toFixed(0)).join(" ")}`);
  console.log(`  this tree  ${ns[1].map((v) => v.toFixed(0)).join(" ")}`);
  const ratios = ns[1].map((v, i) => v / ns[0][i]);
  console.log(
    `  median ${median(ns[0]).toFixed(0)} -> ${median(ns[1]).toFixed(0)} ns; this tree / ` +
      `${baseline.commit} per round: ${ratios.map((v) => v.toFixed(3)).join(" ")} ` +
      `(median ${median(ratios).toFixed(3)})`,
  );
} finally {
  await baseline.remove();
}
