/** A search that cannot run as asked (bad options, a failed worker). Parameter problems are `ParamError`s. */
export class OptimizeError extends Error {
  override name = "OptimizeError";
}
