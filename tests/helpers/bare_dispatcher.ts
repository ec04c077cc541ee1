/**
 * A Dispatcher over a fresh store, with no server around it (the commands' unit tests): `config`
 * stands for the server's settings, `clock` is the commands' time.
 */
import { Databases } from "../../src/store/databases.ts";
import { Journal } from "../../src/store/journal.ts";
import { Registry } from "../../src/commands/registry.ts";
import { Dispatcher } from "../../src/commands/dispatcher.ts";
import { ALL_COMMANDS } from "../../src/commands/all.ts";
import type { ServerControl } from "../../src/commands/server_control.ts";
import { type Config, DEFAULT_CONFIG } from "../../src/config/settings.ts";
import { Logger } from "../../src/log/logger.ts";
import { type Clock, systemClock } from "../../src/store/clock.ts";

export function bareDispatcher(
  config: Config = DEFAULT_CONFIG,
  clock: Clock = systemClock,
  store: Databases = new Databases(new Journal()),
): Dispatcher {
  const server = { config } as unknown as ServerControl;
  return new Dispatcher(new Registry(ALL_COMMANDS), store, server, clock, new Logger("error"));
}
