/**
 * What one connection costs, told to the memory account as it changes: its objects, the
 * buffers it holds (the reader's, the reply writer's, one for a blocked read) and the bytes
 * queued for it. Normal clients count as mem_clients_normal; replicas as mem_clients_slaves,
 * which maxmemory leaves out, as Redis does. Updated at the end of each batch and each write,
 * never per command.
 */
import type { MemoryAccount } from "../memory/memory_account.ts";

/**
 * The objects of an idle connection on V8's heap (Session, Connection, reader, writer, queue,
 * the socket's JavaScript objects, pending promises and closures): 2.8 KB, measured with 2,000
 * idle connections after a forced GC. Its buffers are counted apart. The socket's state in
 * Deno's runtime (about 6 KB more of RSS, outside the JavaScript heap) is not counted: it is
 * not heap, and the same for every server on Deno (bench/idle_clients.ts shows that floor).
 */
export const CONNECTION_OBJECT_BYTES = 2800;

export class ClientFootprint {
  readonly #memory: MemoryAccount | null;
  #reported = 0;
  #asReplica = false;

  constructor(memory: MemoryAccount | null) {
    this.#memory = memory;
  }

  /** The connection now holds `bytes` (objects included); `replica` says how to count it. */
  update(bytes: number, replica: boolean): void {
    const memory = this.#memory;
    if (memory === null || (bytes === this.#reported && replica === this.#asReplica)) return;
    if (this.#asReplica) memory.addReplicaOutput(-this.#reported);
    else memory.addClients(-this.#reported);
    if (replica) memory.addReplicaOutput(bytes);
    else memory.addClients(bytes);
    this.#reported = bytes;
    this.#asReplica = replica;
  }

  /** The connection is gone. */
  close(): void {
    this.update(0, this.#asReplica);
  }
}
