/**
 * Which gates run before a command: every gate for a session flagged `gated`; for any other
 * session only the server-wide gates whose condition is on (a session's gates would find nothing
 * to refuse there, and under a steady eviction load the out-of-memory condition is on for every
 * write).
 */
import { deepStrictEqual as assertEquals } from "node:assert/strict";
import { Session } from "../../../src/commands/session.ts";
import { bareDispatcher } from "../../helpers/bare_dispatcher.ts";
import { GateOrder, ServerCondition } from "../../../src/commands/gates.ts";

function setup() {
  const dispatcher = bareDispatcher();
  const ran: string[] = [];
  dispatcher.addGate(GateOrder.acl, () => {
    ran.push("session");
    return null;
  });
  dispatcher.addGate(GateOrder.outOfMemory, () => {
    ran.push("memory");
    return null;
  }, ServerCondition.outOfMemory);
  dispatcher.addGate(GateOrder.readOnlyReplica, () => {
    ran.push("replica");
    return null;
  }, ServerCondition.replication);
  const session = new Session(1, "127.0.0.1:1", "127.0.0.1:2", 0);
  const run = () => {
    ran.length = 0;
    dispatcher.run(session, ["PING"]);
    session.out.take();
    return [...ran];
  };
  return { dispatcher, session, run };
}

Deno.test("no gate runs while no session flag and no server condition is on", () => {
  const { run } = setup();
  assertEquals(run(), []);
});

Deno.test("a server condition runs its own gate for every session, and no other", () => {
  const { dispatcher, run } = setup();
  dispatcher.setServerCondition(ServerCondition.outOfMemory, true);
  assertEquals(run(), ["memory"]);
  dispatcher.setServerCondition(ServerCondition.replication, true);
  assertEquals(run(), ["memory", "replica"]);
  dispatcher.setServerCondition(ServerCondition.outOfMemory, false);
  assertEquals(run(), ["replica"]);
  dispatcher.setServerCondition(ServerCondition.replication, false);
  assertEquals(dispatcher.serverGated, false);
  assertEquals(run(), []);
});

Deno.test("a gated session runs every gate, in order, whatever the conditions", () => {
  const { dispatcher, session, run } = setup();
  session.addGateReason(() => true);
  assertEquals(run(), ["session", "memory", "replica"]);
  dispatcher.setServerCondition(ServerCondition.outOfMemory, true);
  assertEquals(run(), ["session", "memory", "replica"]);
});
