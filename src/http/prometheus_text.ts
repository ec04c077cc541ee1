/**
 * Writes the Prometheus text exposition format (version 0.0.4): for each metric family one
 * `# HELP` and one `# TYPE` line, then its samples, every family's samples together.
 */
import type { BucketHistogram } from "../observe/bucket_histogram.ts";

export type MetricType = "gauge" | "counter" | "histogram" | "summary";
export type Labels = Record<string, string>;

/** The content type Prometheus expects for this format. */
export const EXPOSITION_CONTENT_TYPE = "text/plain; version=0.0.4; charset=utf-8";

/** A label value with `\`, `"` and newlines escaped. */
export function escapeLabelValue(value: string): string {
  return value.replace(/[\\"\n]/g, (c) => c === "\n" ? "\\n" : `\\${c}`);
}

/** HELP text with `\` and newlines escaped. */
function escapeHelp(text: string): string {
  return text.replace(/[\\\n]/g, (c) => c === "\n" ? "\\n" : "\\\\");
}

/** A sample value: integers as digits, infinities and NaN as Prometheus spells them. */
export function formatValue(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Infinity) return "+Inf";
  if (value === -Infinity) return "-Inf";
  return String(value);
}

function labelText(labels: Labels | undefined): string {
  if (labels === undefined) return "";
  const parts: string[] = [];
  for (const name in labels) parts.push(`${name}="${escapeLabelValue(labels[name])}"`);
  return parts.length === 0 ? "" : `{${parts.join(",")}}`;
}

/**
 * Collects families in the order they are first declared; samples added to a family later
 * still print with it, so callers may fill families in any order.
 */
export class ExpositionWriter {
  readonly #families = new Map<string, { header: string; lines: string[] }>();

  /** Declares a family (again is harmless: the first declaration wins). */
  family(name: string, type: MetricType, help: string): void {
    if (this.#families.has(name)) return;
    this.#families.set(name, {
      header: `# HELP ${name} ${escapeHelp(help)}\n# TYPE ${name} ${type}\n`,
      lines: [],
    });
  }

  /** One sample of `family` (declared first); `suffix` for `_bucket`, `_sum`, `_count`. */
  sample(family: string, value: number, labels?: Labels, suffix = ""): void {
    const entry = this.#families.get(family);
    if (entry === undefined) throw new TypeError(`Cannot add to metric ${family}: not declared`);
    entry.lines.push(`${family}${suffix}${labelText(labels)} ${formatValue(value)}\n`);
  }

  /** A whole histogram: cumulative `_bucket` lines up to `+Inf`, `_sum` and `_count`. */
  histogram(family: string, help: string, histogram: BucketHistogram, labels?: Labels): void {
    this.family(family, "histogram", help);
    let cumulative = 0;
    for (let i = 0; i <= histogram.bounds.length; i++) {
      cumulative += histogram.counts[i];
      const le = i < histogram.bounds.length ? formatValue(histogram.bounds[i]) : "+Inf";
      this.sample(family, cumulative, { ...labels, le }, "_bucket");
    }
    this.sample(family, histogram.sum, labels, "_sum");
    this.sample(family, histogram.count, labels, "_count");
  }

  text(): string {
    let text = "";
    for (const { header, lines } of this.#families.values()) {
      if (lines.length === 0) continue;
      text += header + lines.join("");
    }
    return text;
  }
}
