/** Every command family, in the order COMMAND lists them. */
import type { CommandSpec } from "./spec.ts";
import { connectionCommands } from "./connection.ts";
import { stringCommands } from "./strings.ts";

export const ALL_COMMANDS: CommandSpec[] = [
  ...connectionCommands,
  ...stringCommands,
];
