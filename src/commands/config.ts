/** (family being written) */
import type { CommandSpec } from "./spec.ts";

export const configCommands: CommandSpec[] = [];
