/** The actor runtime: behaviours, supervision as data, and the in-process and Worker hosts. */
export * from "./behaviour.ts";
export * from "./clock.ts";
export * from "./errors.ts";
export * from "./host.ts";
export * from "./in_process.ts";
export * from "./log.ts";
export * from "./random.ts";
export * from "./spec.ts";
export * from "./supervisor.ts";
export type { TreeEvent } from "./tree.ts";
export * from "./worker_host.ts";
