/**
 * Prints replies as redis-cli does. On a terminal ("tty"): strings quoted with escapes,
 * `(integer) 5`, `(nil)`, `(error) ERR ...`, numbered and indented nested arrays, `1#` maps
 * with `=>`, `1~` sets. For pipes ("raw"): bare values, one array item per line. Input and
 * output are one-byte strings (a char per byte), so binary values print byte for byte.
 */
import type { OutputFormat } from "./cli_args.ts";
import type { ReplyNode } from "./reply_tree.ts";

/** The reply as printed, ending with a newline. */
export function formatReply(node: ReplyNode, format: OutputFormat): string {
  return format === "tty" ? formatTty(node, "") : formatRaw(node) + "\n";
}

/** `value` quoted as redis-cli shows strings: printable ASCII as is, the rest escaped. */
export function quoteBytes(value: string): string {
  let out = '"';
  for (let i = 0; i < value.length; i++) {
    const c = value.charCodeAt(i);
    switch (c) {
      case 0x5c:
        out += "\\\\";
        break;
      case 0x22:
        out += '\\"';
        break;
      case 0x0a:
        out += "\\n";
        break;
      case 0x0d:
        out += "\\r";
        break;
      case 0x09:
        out += "\\t";
        break;
      case 0x07:
        out += "\\a";
        break;
      case 0x08:
        out += "\\b";
        break;
      default:
        out += c >= 0x20 && c <= 0x7e ? value[i] : `\\x${c.toString(16).padStart(2, "0")}`;
    }
  }
  return out + '"';
}

const EMPTY: Record<string, string> = {
  array: "(empty array)",
  set: "(empty set)",
  push: "(empty push)",
  map: "(empty hash)",
};

/**
 * One reply in terminal style. `prefix` is the indentation of the enclosing aggregates; the
 * first line is not indented because the caller has already printed its index there.
 */
function formatTty(node: ReplyNode, prefix: string): string {
  switch (node.type) {
    case "error":
      return `(error) ${node.text}\n`;
    case "simple":
    case "verbatim":
      return `${node.text}\n`;
    case "integer":
      return `(integer) ${node.text}\n`;
    case "double":
      return `(double) ${node.text}\n`;
    case "bignum":
      return `(big number) ${node.text}\n`;
    case "bulk":
      return `${quoteBytes(node.text)}\n`;
    case "nil":
      return "(nil)\n";
    case "bool":
      return node.value ? "(true)\n" : "(false)\n";
    case "array":
    case "set":
    case "push":
    case "map": {
      const count = node.type === "map" ? node.entries.length : node.items.length;
      if (count === 0) return `${EMPTY[node.type]}\n`;
      const width = String(count).length;
      const inner = prefix + " ".repeat(width + 2);
      const mark = node.type === "set" ? "~" : node.type === "map" ? "#" : ")";
      let out = "";
      for (let i = 0; i < count; i++) {
        out += `${i === 0 ? "" : prefix}${String(i + 1).padStart(width)}${mark} `;
        if (node.type !== "map") {
          out += formatTty(node.items[i], inner);
          continue;
        }
        const [key, value] = node.entries[i];
        out += formatTty(key, inner).slice(0, -1) + " => ";
        // A value that takes several lines starts on its own line, aligned with its items.
        if (isMultiline(value)) out += "\n" + inner;
        out += formatTty(value, inner);
      }
      return out;
    }
  }
}

function isMultiline(node: ReplyNode): boolean {
  switch (node.type) {
    case "array":
    case "set":
    case "push":
      return node.items.length > 1 || (node.items.length === 1 && isMultiline(node.items[0]));
    case "map":
      return node.entries.length > 1 ||
        (node.entries.length === 1 && isMultiline(node.entries[0][1]));
    default:
      return false;
  }
}

/** One reply in raw style, without the final newline. */
function formatRaw(node: ReplyNode): string {
  switch (node.type) {
    case "nil":
      return "";
    case "error":
      // redis-cli ends a raw error with its own newline, so it is followed by a blank line.
      return `${node.text}\n`;
    case "bool":
      return node.value ? "(true)" : "(false)";
    case "array":
    case "set":
    case "push":
      return node.items.map(formatRaw).join("\n");
    case "map":
      return node.entries.map(([key, value]) => `${formatRaw(key)} ${formatRaw(value)}`).join(
        "\n",
      );
    default:
      return node.text;
  }
}
