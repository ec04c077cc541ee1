/**
 * RDB codecs of hashes, lists and sets (see DEVELOPERS.md, "How a new type adds its RDB
 * encoding"). Hermes writes encodings redis-server 7.0 loads: HASH (4), SET (2), and
 * LIST_QUICKLIST_2 (18) with listpack nodes of about 8 KB. It reads those and what Redis 7.0
 * writes: hash listpack (16), set intset (11), quicklist 2 with listpack nodes.
 */
import { RdbType } from "../format.ts";
import type { RdbDecoder } from "../rdb_decoder.ts";
import { registerRdbCodec } from "../value_codecs.ts";
import { HashValue } from "../../store/types/hash.ts";
import { ListValue } from "../../store/types/list.ts";
import { SetValue } from "../../store/types/set.ts";
import { readIntset, readListpack, writeListpack } from "./blobs.ts";

/** Elements per listpack node written for a list (Redis's own nodes hold about 8 KB). */
const NODE_BYTES = 8192;

/** Quicklist 2 node containers. */
const PLAIN_NODE = 1;
const PACKED_NODE = 2;

function readPairs(decoder: RdbDecoder, hash: HashValue, pairs: string[]): HashValue {
  if (pairs.length % 2 !== 0) decoder.fail("a hash listpack with an odd number of entries");
  for (let i = 0; i < pairs.length; i += 2) hash.set(pairs[i], pairs[i + 1]);
  return hash;
}

registerRdbCodec("hash", {
  rdbType: () => RdbType.hash,
  write(encoder, value) {
    const hash = value as HashValue;
    encoder.length_(hash.size);
    hash.forEach((field, v) => {
      encoder.string(field);
      encoder.string(v);
    });
  },
}, {
  [RdbType.hash]: (decoder) => {
    const hash = new HashValue();
    for (let n = decoder.length(); n > 0; n--) hash.set(decoder.string(), decoder.string());
    return hash;
  },
  [RdbType.hashListpack]: (decoder) =>
    readPairs(decoder, new HashValue(), readListpack(decoder.string())),
});

registerRdbCodec("set", {
  rdbType: () => RdbType.set,
  write(encoder, value) {
    const set = value as SetValue;
    encoder.length_(set.size);
    set.forEach((member) => encoder.string(member));
  },
}, {
  [RdbType.set]: (decoder) => {
    const set = new SetValue();
    for (let n = decoder.length(); n > 0; n--) set.add(decoder.string());
    return set;
  },
  [RdbType.setIntset]: (decoder) => {
    const set = new SetValue();
    for (const member of readIntset(decoder.string())) set.add(member);
    return set;
  },
});

registerRdbCodec("list", {
  rdbType: () => RdbType.listQuicklist2,
  write(encoder, value) {
    // Listpack nodes of about 8 KB, as Redis's own quicklist keeps them.
    const nodes: string[][] = [[]];
    let bytes = 0;
    (value as ListValue).items.walk(false, (_index, node, start, end) => {
      if (bytes >= NODE_BYTES) {
        nodes.push([]);
        bytes = 0;
      }
      nodes[nodes.length - 1].push(node.text(start, end));
      bytes += end - start + 3;
      return true;
    });
    encoder.length_(nodes.length);
    for (const elements of nodes) {
      encoder.length_(PACKED_NODE);
      encoder.string(writeListpack(elements));
    }
  },
}, {
  [RdbType.listQuicklist2]: (decoder) => {
    const list = new ListValue();
    for (let nodes = decoder.length(); nodes > 0; nodes--) {
      const container = decoder.length();
      const data = decoder.string();
      if (container === PLAIN_NODE) list.items.pushTail(data);
      else if (container === PACKED_NODE) {
        for (const element of readListpack(data)) list.items.pushTail(element);
      } else decoder.fail(`a quicklist node with container ${container}`);
    }
    return list;
  },
  [RdbType.list]: (decoder) => {
    const list = new ListValue();
    for (let n = decoder.length(); n > 0; n--) list.items.pushTail(decoder.string());
    return list;
  },
});
