import { ValidateBy, type ValidationOptions } from 'class-validator';

/** One Redis Sentinel to ask for the current master. */
export interface CandescentSentinelAddress {
  /** Host name or IP address (IPv6 without brackets). */
  host: string;
  /** TCP port, usually 26379. */
  port: number;
}

const HOST = /^(?:[A-Za-z0-9](?:[A-Za-z0-9-]{0,62})(?:\.[A-Za-z0-9-]{1,63})*|[0-9A-Fa-f:.]{2,45})$/;
const HOST_PORT = /^(?:\[([0-9A-Fa-f:.]{2,45})\]|([^:\s]+)):(\d{1,5})$/;

/**
 * A Sentinel address from `'host:port'` (`'[::1]:26379'` for IPv6) or `{ host, port }`;
 * undefined when it is neither, so validation can name the field without echoing the value.
 */
export function parseSentinelAddress(value: unknown): CandescentSentinelAddress | undefined {
  let host: unknown;
  let port: unknown;
  if (typeof value === 'string') {
    const match = HOST_PORT.exec(value.trim());
    if (!match) return undefined;
    // Bracketed IPv6 or a plain host; the regular expression matched exactly one of them.
    const [, bracketed, plain, digits] = match as (string | undefined)[];
    host = bracketed ?? plain;
    port = Number(digits);
  } else if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    // Anything besides host and port is a typo or a setting the module would silently drop.
    if (Object.keys(value).some((key) => key !== 'host' && key !== 'port')) return undefined;
    ({ host, port } = value as { host?: unknown; port?: unknown });
  }
  if (typeof host !== 'string' || !HOST.test(host)) return undefined;
  if (typeof port !== 'number' || !Number.isInteger(port) || port < 1 || port > 65_535) return undefined;
  return { host, port };
}

/**
 * A Sentinel address that must be valid (options already checked, or a direct `RedisStore` caller).
 * @throws Error naming the expected forms, without the value
 */
export function toSentinelAddress(value: unknown): CandescentSentinelAddress {
  const address = parseSentinelAddress(value);
  if (!address) throw new Error("a Sentinel address must be 'host:port' or { host, port } with a port from 1 to 65535");
  return address;
}

/** class-validator check of one Sentinel address (use with `{ each: true }` on a list). */
export function IsSentinelAddress(options?: ValidationOptions): PropertyDecorator {
  return ValidateBy(
    {
      name: 'isSentinelAddress',
      validator: { validate: (value: unknown) => parseSentinelAddress(value) !== undefined },
    },
    options,
  );
}
