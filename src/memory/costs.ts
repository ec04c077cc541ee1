/**
 * What things cost on V8's heap (64-bit, as Deno ships it), measured with Deno.memoryUsage()
 * on this build: the constants memory accounting adds up. bench/memory_accounting.ts checks the
 * totals against heapUsed and RSS for each value type; DEVELOPERS.md lists how close they are.
 *
 * - A flat one-byte string: a 16-byte header (map, hash, length) plus its bytes rounded up to 8.
 * - A Map's hash table: 28 bytes per slot of capacity (3 words per entry, a bucket word per two
 *   entries); the capacity starts at 4, doubles when an insert finds it full and halves when
 *   fewer than a quarter of the slots are used. (The keyspace's tables are KeyMaps, which size
 *   themselves the same way and report their own capacity: store/key_map.ts.)
 * - A number outside the small-integer range (every Unix-ms deadline) is a 16-byte HeapNumber.
 * - A typed array: about 192 bytes of objects (the view, its ArrayBuffer, the backing store
 *   record) plus its bytes outside the heap.
 * - A plain object: 24 bytes plus 8 per field; an array: 32 bytes plus a 16-byte backing store
 *   header and 8 per slot of capacity.
 */

/** Bytes of a flat one-byte string of `length` characters. */
export function stringBytes(length: number): number {
  return 16 + ((length + 7) & ~7);
}

/** Bytes per slot of a V8 Map's hash table. */
export const MAP_SLOT_BYTES = 28;
/** Capacity of a new (or cleared) V8 Map. */
export const MAP_INITIAL_CAPACITY = 4;
/** A Map object with its empty initial table. */
export const EMPTY_MAP_BYTES = 176;
/** A boxed number (HeapNumber), such as a deadline in Unix ms. */
export const HEAP_NUMBER_BYTES = 16;
/** The objects around a typed array's bytes (view, ArrayBuffer, backing store record). */
export const TYPED_ARRAY_BYTES = 208;
/** An object's header (map, properties, elements). */
export const OBJECT_BYTES = 24;
/** One field of an object, or one slot of an array. */
export const SLOT_BYTES = 8;
/** An array object with its backing store's header. */
export const ARRAY_BYTES = 48;

/** Bytes of an object with `fields` fields. */
export function objectBytes(fields: number): number {
  return OBJECT_BYTES + fields * SLOT_BYTES;
}

/** Bytes of a Map table sized for `size` entries when it only grew (capacity a power of two). */
export function mapTableBytes(size: number): number {
  let capacity = MAP_INITIAL_CAPACITY;
  while (capacity < size) capacity *= 2;
  return capacity * MAP_SLOT_BYTES;
}

/** Bytes of a Map holding `size` entries (its object and its table, see mapTableBytes). */
export function mapBytes(size: number): number {
  return EMPTY_MAP_BYTES - MAP_INITIAL_CAPACITY * MAP_SLOT_BYTES + mapTableBytes(size);
}

/** Bytes of a number stored in a Map or an array: a boxed HeapNumber unless a small integer. */
export function numberBytes(value: number): number {
  return (value | 0) === value && !Object.is(value, -0) ? 0 : HEAP_NUMBER_BYTES;
}

/**
 * Bytes of an array of `length` slots grown by pushes or splices: V8 gives a growing array
 * half its capacity again plus 16 slots (16 for the first element), so this follows it.
 */
export function arrayBytes(length: number): number {
  let capacity = 0;
  while (capacity < length) capacity += (capacity >> 1) + 16;
  return ARRAY_BYTES + capacity * SLOT_BYTES;
}

/**
 * A packed collection's string is built as a rope and flattened in place (types/packed.ts):
 * the rope's header stays in front of the flat string until a GC short-cuts it. Half of it,
 * on average, measured over small hashes.
 */
export const PACKED_STRING_EXTRA_BYTES = 16;
