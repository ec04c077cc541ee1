/**
 * The store actor's rounds: a hook that releases later lets the next rounds run meanwhile,
 * rounds are released strictly in order whatever order their hooks release in, a batch released
 * early resolves at once, and a hook's promise holds the next round back.
 */
import { assertEquals } from "../../helpers/assert.ts";
import { StoreActor } from "../../../src/store/actor.ts";

const turn = () => new Promise((resolve) => setTimeout(resolve, 0));

interface Harness {
  actor: StoreActor<string>;
  ran: string[];
  resolved: string[];
  /** Each round's release, in round order. */
  releases: (() => void)[];
  submit(session: string, command: string): void;
}

function harness(early: (session: string) => boolean = () => false): Harness {
  const ran: string[] = [];
  const resolved: string[] = [];
  const releases: (() => void)[] = [];
  const actor = new StoreActor<string>(
    (_session, argv) => {
      ran.push(argv[0]);
      return true;
    },
    (_sessions, release) => void releases.push(release),
    early,
  );
  return {
    actor,
    ran,
    resolved,
    releases,
    submit(session, command) {
      actor.submit(session, [[command]]).then(() => resolved.push(command));
    },
  };
}

Deno.test("rounds run while earlier ones wait, and are released in order", async () => {
  const h = harness();
  h.submit("a", "first");
  await turn();
  h.submit("b", "second");
  await turn();
  assertEquals(h.ran, ["first", "second"]);
  assertEquals(h.actor.unreleasedRounds, 2);
  h.releases[1](); // the later round is settled first: it waits for the earlier one
  await turn();
  assertEquals(h.resolved, []);
  h.releases[0]();
  await turn();
  assertEquals(h.resolved, ["first", "second"]);
  assertEquals(h.actor.unreleasedRounds, 0);
});

Deno.test("a batch released early resolves at once, before its round is released", async () => {
  const h = harness((session) => session === "memory-only");
  h.submit("logged", "write");
  h.submit("memory-only", "cache");
  await turn();
  assertEquals(h.resolved, ["cache"]);
  h.releases[0]();
  await turn();
  assertEquals(h.resolved, ["cache", "write"]);
});

Deno.test("a hook that returns a promise holds the next round back until it settles", async () => {
  const ran: string[] = [];
  let hold!: () => void;
  const actor = new StoreActor<string>(
    (_session, argv) => {
      ran.push(argv[0]);
      return true;
    },
    (_sessions, release) => {
      release();
      if (ran.length === 1) return new Promise<void>((resolve) => hold = resolve);
    },
  );
  const first = actor.submit("a", [["first"]]);
  await turn();
  const second = actor.submit("b", [["second"]]);
  await turn();
  await first;
  assertEquals(ran, ["first"]);
  hold();
  await second;
  assertEquals(ran, ["first", "second"]);
});
