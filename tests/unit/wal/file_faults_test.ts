import { assertEquals, assertRejects, assertThrows } from "../../helpers/assert.ts";
import { FaultPlanError, FileFaults } from "../../../src/wal/file_faults.ts";

async function withFile(fn: (path: string, dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "hermes-faults-" });
  try {
    await fn(`${dir}/file`, dir);
  } finally {
    await Deno.remove(dir, { recursive: true });
  }
}

/** Which of `count` calls fail under `plan`. */
function failingCalls(plan: string, count: number, kind: "write" | "sync"): number[] {
  const faults = new FileFaults(plan);
  const failed: number[] = [];
  for (let n = 1; n <= count; n++) {
    if (kind === "write" ? faults.writeFails() : faults.syncFails()) failed.push(n);
  }
  return failed;
}

Deno.test("a fault plan fails the next N, the Nth or every Nth operation of its kind", () => {
  assertEquals(failingCalls("fail-write=2", 5, "write"), [1, 2]);
  assertEquals(failingCalls("fail-write-at=3", 5, "write"), [3]);
  assertEquals(failingCalls("fail-sync-every=2", 7, "sync"), [2, 4, 6]);
  assertEquals(failingCalls("fail-sync=always", 3, "sync"), [1, 2, 3]);
  assertEquals(failingCalls("fail-write=1", 3, "sync"), []);
  assertEquals(failingCalls("", 3, "sync"), []);
});

Deno.test("a fault plan with a rule it cannot read is refused, naming the rule", () => {
  for (const plan of ["fail-write=x", "fail-disk=1", "fail-sync-every=-1", "slow=5"]) {
    assertThrows(
      () => new FileFaults(plan),
      (error: Error) => error instanceof FaultPlanError && error.message.includes(`"${plan}"`),
    );
  }
});

Deno.test("replan and the control file replace the rules, counting from then on", async () => {
  await withFile(async (_path, dir) => {
    const control = `${dir}/plan`;
    const faults = new FileFaults(`fail-sync-every=2,control=${control}`);
    assertEquals([faults.syncFails(), faults.syncFails()], [false, true]);
    faults.replan("fail-sync-at=1");
    assertEquals([faults.syncFails(), faults.syncFails()], [true, false]);
    await Deno.writeTextFile(control, "fail-write=1");
    assertEquals(faults.writeFails(), true); // read before the operation, then removed
    assertEquals(faults.writeFails(), false);
    await assertRejects(() => Deno.stat(control), Deno.errors.NotFound);
    assertEquals(faults.failures, 3);
  });
});

Deno.test("a failing write leaves half its bytes in the file, as a write cut short does", async () => {
  await withFile(async (path) => {
    const faults = new FileFaults("fail-write-at=2,fail-sync-at=1");
    const handle = await faults.open(path, { append: true, create: true });
    assertEquals(handle.writeSync(new Uint8Array(10).fill(1)), 10);
    assertThrows(() => handle.writeSync(new Uint8Array(8).fill(2)), /injected write failure/);
    assertThrows(() => handle.syncDataSync(), /injected fdatasync failure/);
    await handle.syncData();
    handle.close();
    assertEquals((await Deno.readFile(path)).length, 14);
  });
});

Deno.test("slow-sync-ms delays both kinds of fdatasync", async () => {
  await withFile(async (path) => {
    const faults = new FileFaults("slow-sync-ms=60");
    const handle = await faults.open(path, { append: true, create: true });
    let started = performance.now();
    handle.syncDataSync();
    assertEquals(performance.now() - started >= 55, true);
    started = performance.now();
    await handle.syncData();
    assertEquals(performance.now() - started >= 55, true);
    handle.close();
  });
});
