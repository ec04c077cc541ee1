import { assertEquals } from "../../helpers/assert.ts";
import {
  CAPABILITIES_MARKER,
  capabilityBlocks,
  capabilityPart,
  renderCapabilityPart,
  suitePart,
} from "../../../bench/lib/results_file.ts";

Deno.test("a results file without capability blocks is all suite", () => {
  assertEquals(capabilityPart("# Benchmark results\n"), "");
  assertEquals(suitePart("# Benchmark results\n"), "# Benchmark results\n");
});

Deno.test("capability blocks round-trip, are replaced by id and keep the given order", () => {
  const first = renderCapabilityPart("## Caps", new Map([["tls", "tls v1"], ["pubsub", "ps v1"]]), [
    "pubsub",
    "tls",
  ]);
  const file = `# Suite\n\n${first}`;
  assertEquals(suitePart(file), "# Suite\n\n");
  assertEquals(capabilityPart(file).startsWith(CAPABILITIES_MARKER), true);
  const blocks = capabilityBlocks(capabilityPart(file));
  assertEquals([...blocks.entries()], [["pubsub", "ps v1"], ["tls", "tls v1"]]);

  blocks.set("tls", "tls v2\n```text\nmore\n```");
  blocks.set("extra", "x");
  const again = capabilityBlocks(renderCapabilityPart("## Caps", blocks, ["tls", "pubsub"]));
  assertEquals([...again.entries()], [
    ["tls", "tls v2\n```text\nmore\n```"],
    ["pubsub", "ps v1"],
    ["extra", "x"],
  ]);
});
