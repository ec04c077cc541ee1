/**
 * Damaged logs on a real server: a torn tail is cut with a warning, garbage after the last
 * record is dropped, corruption in the middle refuses to start until --repair, and a second
 * server on the same directory is refused. check-log and dump-log report the same facts.
 */
import { assertEquals, assertMatch, assertOk } from "../helpers/assert.ts";
import { startHermes } from "../helpers/hermes_process.ts";
import { runHermes } from "./process.ts";
import { encodeFileHeader, FILE_HEADER_BYTES, FileKind } from "../../src/wal/codec.ts";

const LOG = "hermes-00000001.log";

async function withDir(fn: (dir: string) => Promise<void>): Promise<void> {
  const dir = await Deno.makeTempDir({ prefix: "hermes-damaged-" });
  try {
    await fn(dir);
  } finally {
    await Deno.remove(dir, { recursive: true }).catch(() => {});
  }
}

/** Writes `count` keys k0..k(n-1), one command each; returns the log size before each one. */
async function writeKeys(dir: string, count: number): Promise<number[]> {
  const server = await startHermes([], { dir });
  const client = await server.connect();
  const offsets: number[] = [];
  for (let i = 0; i < count; i++) {
    offsets.push((await Deno.stat(`${dir}/${LOG}`)).size);
    await client.send("SET", `k${i}`, `value-${i}`);
  }
  client.close();
  assertEquals(await server.stop(), 0);
  return offsets;
}

async function presentKeys(dir: string, count: number, args: string[] = []) {
  const server = await startHermes(args, { dir });
  const client = await server.connect();
  const values = await client.send("MGET", ...Array.from({ length: count }, (_, i) => `k${i}`));
  client.close();
  await server.stop();
  return { values: values as (string | null)[], output: server.output() };
}

Deno.test("the newest log cut at every byte of its last record starts with a warning and keeps the rest", async () => {
  await withDir(async (dir) => {
    const offsets = await writeKeys(dir, 3);
    const path = `${dir}/${LOG}`;
    const original = await Deno.readFile(path);
    const last = offsets[2];
    let checked = 0;
    for (let cut = last + 1; cut < original.length; cut++) {
      await Deno.writeFile(path, original.subarray(0, cut));
      const { values, output } = await presentKeys(dir, 3);
      assertEquals(values, ["value-0", "value-1", null], `cut at ${cut}`);
      assertMatch(
        output,
        new RegExp(`torn tail of \\S*${LOG} at offset ${last}: dropping ${cut - last} bytes`),
      );
      checked++;
    }
    assertEquals(checked, original.length - last - 1);
    assertEquals((await Deno.stat(path)).size, last);
  });
});

Deno.test("garbage after the last record is dropped with a warning and the data is intact", async () => {
  await withDir(async (dir) => {
    await writeKeys(dir, 3);
    const path = `${dir}/${LOG}`;
    const size = (await Deno.stat(path)).size;
    const garbage = Uint8Array.from({ length: 333 }, (_, i) => (i * 131 + 7) & 0xff);
    await Deno.writeFile(path, garbage, { append: true });
    const check = await runHermes(["check-log", dir]);
    assertEquals(check.code, 1);
    assertMatch(check.stdout, new RegExp(`torn tail in ${LOG} at offset ${size}`));
    const { values, output } = await presentKeys(dir, 3);
    assertEquals(values, ["value-0", "value-1", "value-2"]);
    assertMatch(output, new RegExp(`offset ${size}: dropping 333 bytes`));
    assertEquals((await runHermes(["check-log", dir])).code, 0);
  });
});

Deno.test("a torn tail followed by the empty log of a compaction that never switched starts", async () => {
  await withDir(async (dir) => {
    await writeKeys(dir, 3);
    const path = `${dir}/${LOG}`;
    const size = (await Deno.stat(path)).size;
    await Deno.writeFile(path, Uint8Array.of(9, 0, 0, 0, 1, 2), { append: true });
    // What a kill leaves between a compaction creating its log and switching to it.
    await Deno.writeFile(`${dir}/hermes-00000002.log`, encodeFileHeader(FileKind.log, 2));
    const check = await runHermes(["check-log", dir]);
    assertEquals(check.code, 1);
    assertMatch(check.stdout, new RegExp(`torn tail in ${LOG} at offset ${size}`));
    const server = await startHermes([], { dir });
    const client = await server.connect();
    assertEquals(await client.send("MGET", "k0", "k1", "k2"), ["value-0", "value-1", "value-2"]);
    assertEquals(await client.send("SET", "k3", "value-3"), "OK");
    client.close();
    assertEquals(await server.stop(), 0);
    assertMatch(server.output(), new RegExp(`torn tail of \\S*${LOG} at offset ${size}`));
    assertEquals((await Deno.stat(path)).size, size);
    assertOk(
      (await Deno.stat(`${dir}/hermes-00000002.log`)).size > FILE_HEADER_BYTES,
      "k3 is in log 2",
    );
    assertEquals((await presentKeys(dir, 4)).values, ["value-0", "value-1", "value-2", "value-3"]);
  });
});

Deno.test("a flipped byte in the middle refuses to start; --repair keeps the prefix and a backup", async () => {
  await withDir(async (dir) => {
    const offsets = await writeKeys(dir, 4);
    const path = `${dir}/${LOG}`;
    const bytes = await Deno.readFile(path);
    bytes[offsets[1] + 13] ^= 0x20;
    await Deno.writeFile(path, bytes);

    const refused = await runHermes(["--port", "0", "--dir", dir]);
    assertEquals(refused.code, 1);
    assertMatch(
      refused.output,
      new RegExp(
        `${LOG} is damaged at offset ${offsets[1]} \\(checksum mismatch\\), ` +
          `followed by valid data at offset ${offsets[2]}`,
      ),
    );
    assertMatch(refused.output, /--repair/);
    assertEquals(await Deno.readFile(path), bytes, "a refused start must not change the log");

    const check = await runHermes(["check-log", dir]);
    assertEquals(check.code, 1);
    assertMatch(check.stdout, new RegExp(`corruption in ${LOG} at offset ${offsets[1]}`));

    const { values, output } = await presentKeys(dir, 4, ["--repair"]);
    assertEquals(values, ["value-0", null, null, null]);
    assertMatch(output, /kept the original of \S+ as \S+\.broken-/);
    const backups = [...Deno.readDirSync(dir)].filter((e) => e.name.includes(".broken-"));
    assertEquals(backups.length, 1);
    assertEquals(await Deno.readFile(`${dir}/${backups[0].name}`), bytes);
    assertEquals((await runHermes(["check-log", dir])).code, 0);
  });
});

Deno.test("a second server on the same directory refuses to start with a clear message", async () => {
  await withDir(async (dir) => {
    const first = await startHermes([], { dir });
    try {
      const second = await runHermes(["--port", "0", "--dir", dir]);
      assertEquals(second.code, 1);
      assertMatch(
        second.output,
        new RegExp(`another Hermes process \\(pid ${first.process.pid}\\) is using it`),
      );
    } finally {
      await first.stop();
    }
  });
});

Deno.test("check-log counts records and keys, and dump-log prints each record readably", async () => {
  await withDir(async (dir) => {
    const server = await startHermes([], { dir });
    const client = await server.connect();
    await client.send("SET", "plain", "v");
    await client.send("MSET", "m1", "a\x01b", "m2", 'q"uote');
    await client.send("SET", "ttl", "x", "PXAT", "4102444800000");
    await client.send("DEL", "plain");
    client.close();
    await server.stop();

    const check = await runHermes(["check-log", dir]);
    assertEquals(check.code, 0, check.output);
    assertMatch(check.stdout, /hermes-00000001\.log: log, \d+ bytes, 4 records, ok/);
    assertMatch(check.stdout, /records: 4, operations: 5, keys: 3, files: 1/);
    assertMatch(check.stdout, /ok: every checksum verified/);

    const dump = await runHermes(["dump-log", dir]);
    assertEquals(dump.code, 0, dump.output);
    const lines = dump.stdout.trim().split("\n");
    assertEquals(lines[0], "# hermes-00000001.log (log, generation 1)");
    assertMatch(lines[1], /^@20 SET db=0 "plain" "v"$/);
    assertMatch(lines[2], /^@\d+ 2 changes, applied together:$/);
    assertEquals(lines[3], '    SET db=0 "m1" "a\\x01b"');
    assertEquals(lines[4], '    SET db=0 "m2" "q\\"uote"');
    assertMatch(
      lines[5],
      /^@\d+ SET db=0 "ttl" "x" deadline=4102444800000 \(2100-01-01T00:00:00\.000Z\)$/,
    );
    assertMatch(lines[6], /^@\d+ DEL db=0 "plain"$/);
    assertOk(lines.length === 7);

    const usage = await runHermes(["check-log"]);
    assertEquals(usage.code, 2);
    assertMatch(usage.output, /Usage: hermes check-log <dir>/);
  });
});
