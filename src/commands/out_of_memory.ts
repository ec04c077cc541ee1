/**
 * The OOM gate (GateOrder.outOfMemory), as Redis's processCommand does it when maxmemory is
 * set: before a command, evict what the policy allows (memory/eviction.ts); if memory is still
 * over the limit and nothing more can go, refuse commands flagged denyoom (an EXEC that queued
 * one too), and, inside MULTI, any command but EXEC, DISCARD, QUIT and RESET (queueing would
 * grow memory too). Reads and deletes keep working.
 *
 * The gate is on only while memory is over the limit (the account raises the dispatcher's
 * server condition as it crosses it), so commands pay nothing below it.
 */
import { MemoryErrors } from "./errors.ts";
import { commandHas, type Gate } from "./gates.ts";
import { type Evictor, EvictResult } from "../memory/eviction.ts";

/** Commands a client in MULTI may still send while out of memory. */
const ALLOWED_IN_MULTI = new Set(["exec", "discard", "quit", "reset"]);

export function outOfMemoryGate(evictor: Evictor): Gate {
  return (session, spec) => {
    // The primary's stream is applied as sent, whatever the memory.
    if (evictor.perform() !== EvictResult.fail || session.kind === "master") return null;
    if (commandHas(session, spec, "denyoom")) return MemoryErrors.oom;
    if (session.multi !== null && !ALLOWED_IN_MULTI.has(spec.name)) return MemoryErrors.oom;
    return null;
  };
}
