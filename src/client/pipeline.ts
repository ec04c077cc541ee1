/** An explicit pipeline: collect commands, send them in one write, get every reply in order. */
import type { Arg } from "./encode_command.ts";
import type { RespValue } from "./resp_decoder.ts";

/**
 * What a pipeline needs from a client: `Client` has it.
 *
 * @example
 * ```ts
 * import { connect, Pipeline } from "./mod.ts";
 * const client = await connect({ port: 8080 });
 * const replies = await new Pipeline(client).send("PING").exec(); // ["PONG"]
 * client.close();
 * ```
 */
export interface PipelineTarget {
  /** Sends all commands in one write; replies in order, error replies as values. */
  pipeline(commands: Arg[][]): Promise<RespValue[]>;
}

/**
 * Commands collected to be sent together. Nothing leaves until {@linkcode Pipeline.exec}.
 *
 * @example
 * ```ts
 * import { connect } from "./mod.ts";
 * const client = await connect({ port: 8080 });
 * const replies = await client.batch()
 *   .send("SET", "visits", "10")
 *   .send("INCR", "visits")
 *   .send("GET", "visits")
 *   .exec(); // ["OK", 11, "11"]
 * client.close();
 * ```
 */
export class Pipeline {
  readonly #target: PipelineTarget;
  #commands: Arg[][] = [];

  /** A pipeline for `target`; usually made with `client.batch()`. */
  constructor(target: PipelineTarget) {
    this.#target = target;
  }

  /** Adds one command; returns the pipeline so calls chain. */
  send(...args: Arg[]): this {
    if (args.length === 0) throw new TypeError("Cannot add an empty command to a pipeline");
    this.#commands.push(args);
    return this;
  }

  /** How many commands are waiting to be sent. */
  get length(): number {
    return this.#commands.length;
  }

  /**
   * Sends the collected commands in one write and returns their replies in order. Error
   * replies are `ReplyError` values in the array, so one failed command does not
   * hide the others' results. The pipeline is empty afterwards and can be reused.
   */
  exec(): Promise<RespValue[]> {
    const commands = this.#commands;
    this.#commands = [];
    return this.#target.pipeline(commands);
  }
}
