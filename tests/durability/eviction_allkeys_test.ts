/** 500 MB written with --maxmemory 64mb under the allkeys policies and noeviction. */
import { evictionLoad } from "./eviction_load.ts";

for (const policy of ["allkeys-lru", "allkeys-lfu", "allkeys-random", "noeviction"] as const) {
  Deno.test(`${policy}: 500 MB through 64 MB stays within the limit and a kill -9 keeps a consistent subset`, async () => {
    await evictionLoad(policy);
  });
}
