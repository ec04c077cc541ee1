/** A Logger that keeps warnings and info lines for assertions instead of printing them. */
import { Logger } from "../../../src/log/logger.ts";

export class CaptureLogger extends Logger {
  readonly lines: string[] = [];

  constructor() {
    super("error");
  }

  override info(message: string): void {
    this.lines.push(`info: ${message}`);
  }

  override warn(message: string): void {
    this.lines.push(`warn: ${message}`);
  }

  override error(message: string, detail?: unknown): void {
    this.lines.push(`error: ${message}${detail === undefined ? "" : `: ${detail}`}`);
  }

  warnings(): string[] {
    return this.lines.filter((line) => line.startsWith("warn: "));
  }
}
