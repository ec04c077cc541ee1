/** Number formatting and plain-text / Markdown tables for benchmark reports. */

/** `1234567` -> `1,234,567`; `-` for a missing figure. */
export function formatCount(value: number): string {
  return Number.isFinite(value) ? Math.round(value).toLocaleString("en-US") : "-";
}

/** A figure with a fixed number of decimals; `-` when missing. */
export function formatFixed(value: number, decimals: number): string {
  return Number.isFinite(value) ? value.toFixed(decimals) : "-";
}

/** Bytes as MiB with one decimal. */
export function formatMiB(bytes: number): string {
  return Number.isFinite(bytes) ? `${(bytes / 2 ** 20).toFixed(1)} MiB` : "-";
}

/** Which side of its column a cell is aligned to. */
export type Align = "left" | "right";

/** A table as aligned plain text, for the terminal. */
export function textTable(headers: string[], rows: string[][], align: Align[]): string {
  const widths = headers.map((h, i) => Math.max(h.length, ...rows.map((r) => r[i].length)));
  const line = (cells: string[]) =>
    cells.map((cell, i) => align[i] === "right" ? cell.padStart(widths[i]) : cell.padEnd(widths[i]))
      .join("  ").trimEnd();
  return [line(headers), widths.map((w) => "-".repeat(w)).join("  "), ...rows.map(line)]
    .join("\n");
}

/** A table in GitHub Markdown. */
export function markdownTable(headers: string[], rows: string[][], align: Align[]): string {
  const line = (cells: string[]) => `| ${cells.map((c) => c.replaceAll("|", "\\|")).join(" | ")} |`;
  const rule = `|${align.map((a) => a === "right" ? "---:" : "---").join("|")}|`;
  return [line(headers), rule, ...rows.map(line)].join("\n");
}
