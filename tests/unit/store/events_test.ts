/** notify-keyspace-events letters: parsed and printed exactly as Redis 7.0 does. */
import { assertEquals } from "../../helpers/assert.ts";
import {
  activeEventClasses,
  EventClass,
  formatEventClasses,
  parseEventClasses,
} from "../../../src/store/events.ts";

/** Each value as written and as Redis 7.0.15's CONFIG GET then shows it (checked by hand). */
const CANONICAL: [string, string][] = [
  ["", ""],
  ["KEA", "AKE"],
  ["AKE", "AKE"],
  ["g$lshzxetdKEmn", "AKEm"], // Redis 7.0 does not show n beside A
  ["n", "n"],
  ["Kn", "nK"],
  ["Ed", "dE"],
  ["g$lshzxet", "g$lshzxet"],
  ["AA$", "A"],
  ["Exg", "gxE"],
  ["mK", "Km"],
  ["z$s", "$sz"],
];

Deno.test("values print in Redis's canonical order", () => {
  for (const [given, shown] of CANONICAL) {
    const flags = parseEventClasses(given);
    assertEquals(flags === null ? null : formatEventClasses(flags), shown, given);
  }
});

Deno.test("A stands for every class but key misses and new keys", () => {
  const all = parseEventClasses("A")!;
  for (const letter of "g$lshzxetd") {
    assertEquals(all & parseEventClasses(letter)!, parseEventClasses(letter), letter);
  }
  assertEquals(all & EventClass.keyMiss, 0);
  assertEquals(all & EventClass.new, 0);
  assertEquals(all & (EventClass.keyspace | EventClass.keyevent), 0);
});

Deno.test("a character that names no class makes the value invalid", () => {
  for (const bad of ["a", "KEq", " ", "K E", "k"]) assertEquals(parseEventClasses(bad), null, bad);
});

Deno.test("classes are raised only when K or E says where to publish them", () => {
  assertEquals(activeEventClasses(parseEventClasses("A")!), 0);
  assertEquals(activeEventClasses(parseEventClasses("g$")!), 0);
  const keyevent = parseEventClasses("Eg")!;
  assertEquals(activeEventClasses(keyevent), keyevent);
  assertEquals(activeEventClasses(parseEventClasses("K")!), EventClass.keyspace);
});
