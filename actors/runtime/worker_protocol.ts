/** Messages between the Worker host (main thread) and one actor's Worker. Plain data only. */
import type { Envelope, Undeliverable } from "./behaviour.ts";
import type { LogLevel, LogRecord } from "./log.ts";
import type { ActorSpec } from "./spec.ts";

export interface Delivery {
  readonly env: Envelope;
  readonly hostSeq: number;
}

export type HostToWorker =
  | {
    readonly type: "init";
    readonly path: string;
    readonly spec: ActorSpec;
    readonly snapshot: unknown;
    readonly seed: number;
    readonly logLevel: LogLevel;
    /** Float64 cells the worker writes before each delivery: the host learns the poison message of a hang. */
    readonly progress: SharedArrayBuffer;
  }
  | { readonly type: "deliver"; readonly batch: readonly Delivery[] }
  | { readonly type: "ping"; readonly n: number }
  | { readonly type: "stop" };

export type WorkerToHost =
  | { readonly type: "ready"; readonly accepts: readonly string[] }
  | { readonly type: "init_failed"; readonly error: string; readonly name: string }
  | { readonly type: "out"; readonly envs: readonly Envelope[] }
  /** Every delivery up to `upto` is handled; `snapshot` is the state after it, when one was taken. */
  | { readonly type: "ack"; readonly upto: number; readonly snapshot?: { readonly data: unknown } }
  | { readonly type: "exit"; readonly reason: "normal" | "crash"; readonly error?: string; readonly poison?: number }
  | { readonly type: "undeliverable"; readonly from: string; readonly failure: Undeliverable }
  | { readonly type: "pong"; readonly n: number }
  | { readonly type: "log"; readonly record: LogRecord }
  | { readonly type: "stopped" };
