/**
 * Client library for Hermes (and any Redis-compatible server).
 *
 * @module
 */
export { Client, connect, type ConnectOptions } from "./client.ts";
export { Push, ReplyError, RespDecoder, type RespValue } from "./resp_decoder.ts";
export { type Arg, encodeCommand } from "./encode_command.ts";
