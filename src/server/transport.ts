/**
 * What the connection layer needs of a client socket and a listener. Deno's TCP and TLS
 * connections and listeners fit as they are; node_tls.ts adapts node:tls sockets (the only way
 * Deno offers to ask for and verify client certificates).
 */

export interface ClientSocket {
  read(into: Uint8Array): Promise<number | null>;
  write(bytes: Uint8Array): Promise<number>;
  close(): void;
  readonly remoteAddr: Deno.Addr;
  readonly localAddr: Deno.Addr;
  setNoDelay?(noDelay?: boolean): void;
}

export interface ClientListener {
  accept(): Promise<ClientSocket>;
  close(): void;
  readonly addr: Deno.Addr;
}

/** The host part of an address ("127.0.0.1", "::1"), or "" for a non-IP address. */
export function hostOf(addr: Deno.Addr): string {
  return "hostname" in addr ? addr.hostname : "";
}

/** `host:port` as CLIENT LIST shows it. */
export function formatAddr(addr: Deno.Addr): string {
  return "hostname" in addr ? `${addr.hostname}:${addr.port}` : "";
}
