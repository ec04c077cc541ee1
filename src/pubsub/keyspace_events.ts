/**
 * Keyspace notifications: the change stream's event sink (Journal.events) turned into pub/sub
 * messages, as Redis's notifyKeyspaceEvent: `__keyspace@<db>__:<key>` carries the event name
 * (K), `__keyevent@<db>__:<event>` carries the key (E); `<db>` is the database number, or a
 * partition's name. The journal calls this only for the
 * classes notify-keyspace-events turns on (Journal.notifyMask), so it costs nothing when off.
 */
import type { Config } from "../config/settings.ts";
import type { Databases } from "../store/databases.ts";
import { EventClass } from "../store/events.ts";
import type { EventSink } from "../store/journal.ts";
import type { PubSubHub } from "./hub.ts";

export class KeyspaceEvents implements EventSink {
  readonly #hub: PubSubHub;
  readonly #config: Config;
  readonly #store: Databases;

  constructor(hub: PubSubHub, config: Config, store: Databases) {
    this.#hub = hub;
    this.#config = config;
    this.#store = store;
  }

  event(_eventClass: number, name: string, db: number, key: string): void {
    const hub = this.#hub;
    if (!hub.hasListeners) return; // nobody could receive it: do not even build the names
    const flags = this.#config.notifyKeyspaceEvents;
    // A numbered database shows its number, a partition its name (Databases.dbName).
    const where = this.#store.dbName(db);
    if (flags & EventClass.keyspace) hub.publish(`__keyspace@${where}__:${key}`, name, true);
    if (flags & EventClass.keyevent) hub.publish(`__keyevent@${where}__:${name}`, key, true);
  }
}
