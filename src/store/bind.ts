import type { StoreContext } from './context.js';

/** A store module's operations: functions that take the store context first. */
type Operations = Record<string, (ctx: StoreContext, ...args: never[]) => unknown>;

/** The same operations with the context already given, as callers of the store see them. */
export type Bound<Ops extends Operations> = {
  readonly [Name in keyof Ops]: Ops[Name] extends (ctx: StoreContext, ...args: infer Args) => infer Result
    ? (...args: Args) => Result
    : never;
};

export function bindOperations<Ops extends Operations>(ctx: StoreContext, operations: Ops): Bound<Ops> {
  const bound = Object.entries(operations).map(([name, operation]) => [
    name,
    (...args: unknown[]) => (operation as (ctx: StoreContext, ...rest: unknown[]) => unknown)(ctx, ...args),
  ]);
  return Object.freeze(Object.fromEntries(bound)) as Bound<Ops>;
}
