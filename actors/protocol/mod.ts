/** The domain protocol: types only, importing nothing outside this folder. */
export * from "./market.ts";
export * from "./instrument.ts";
export * from "./orders.ts";
export * from "./commands.ts";
export * from "./flow.ts";
export * from "./trades.ts";
