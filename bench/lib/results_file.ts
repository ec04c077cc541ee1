/**
 * bench/RESULTS.md holds two parts: the side-by-side suite that `deno task bench` regenerates,
 * and below a marker the capability benchmarks that `bench/capabilities.ts` writes, one block
 * per benchmark. Each writer replaces only its own part, so neither run erases the other's.
 */

/** The line that starts the capability part; everything after it is kept by `deno task bench`. */
export const CAPABILITIES_MARKER =
  "<!-- capability benchmarks: written by bench/capabilities.ts -->";

/** The capability part of a results file (from the marker on), or "" when it has none. */
export function capabilityPart(text: string): string {
  const at = text.indexOf(CAPABILITIES_MARKER);
  return at < 0 ? "" : text.slice(at);
}

/** The suite part of a results file (everything before the marker). */
export function suitePart(text: string): string {
  const at = text.indexOf(CAPABILITIES_MARKER);
  return at < 0 ? text : text.slice(0, at);
}

const start = (id: string) => `<!-- bench:${id} -->`;
const end = (id: string) => `<!-- /bench:${id} -->`;

/** The blocks of a capability part, by id, in file order. */
export function capabilityBlocks(part: string): Map<string, string> {
  const blocks = new Map<string, string>();
  const pattern = /<!-- bench:([a-z0-9-]+) -->\n([\s\S]*?)\n<!-- \/bench:\1 -->/g;
  for (const match of part.matchAll(pattern)) blocks.set(match[1], match[2]);
  return blocks;
}

/**
 * A capability part with `blocks` replaced or added, in the order of `order` (ids not in it
 * keep their place after those that are).
 */
export function renderCapabilityPart(
  heading: string,
  blocks: Map<string, string>,
  order: readonly string[],
): string {
  const ids = [
    ...order.filter((id) => blocks.has(id)),
    ...[...blocks.keys()].filter((id) => !order.includes(id)),
  ];
  const out = [CAPABILITIES_MARKER, "", heading];
  for (const id of ids) out.push("", start(id), blocks.get(id)!, end(id));
  return `${out.join("\n")}\n`;
}
