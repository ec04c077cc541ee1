/** 500 MB written with --maxmemory 64mb under the volatile policies. */
import { evictionLoad } from "./eviction_load.ts";

for (const policy of ["volatile-lru", "volatile-lfu", "volatile-random", "volatile-ttl"] as const) {
  Deno.test(`${policy}: 500 MB through 64 MB evicts only keys with a TTL and a kill -9 keeps a consistent subset`, async () => {
    await evictionLoad(policy);
  });
}
