import { inspect } from 'node:util';

/**
 * Makes instances of a class print as their class name only, in
 * `util.inspect` (so `console.log` and Nest's logger) and in `JSON.stringify`. For injectables
 * that hold secrets (the options, the token caches, the Basic header, session state): an app
 * that prints a service while debugging must not print the consumer secret or a token with it.
 * Nothing is shown, so a field added later stays hidden too.
 */
export function RedactedWhenPrinted(): ClassDecorator {
  return (target) => {
    Object.defineProperty(target.prototype, inspect.custom, { value: () => `${target.name} {}`, configurable: true });
    Object.defineProperty(target.prototype, 'toJSON', { value: () => ({ [target.name]: {} }), configurable: true });
  };
}

/** The same for one plain object (the resolved options): it prints as `name` and the shown fields. */
export function redactWhenPrinted<T extends object>(value: T, name: string, shown: Record<string, unknown>): T {
  Object.defineProperty(value, inspect.custom, {
    value: () => `${name} ${inspect(shown, { breakLength: Infinity })}`,
    configurable: true,
  });
  Object.defineProperty(value, 'toJSON', { value: () => ({ [name]: shown }), configurable: true });
  return value;
}
