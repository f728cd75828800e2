/**
 * Loads an optional peer dependency (one the app installs only when it uses the feature), or
 * undefined when it is not installed. Synchronous, because the callers are constructors and
 * module-level helpers; the package is built as CommonJS, so `require` is the loader.
 */
export function loadOptionalPeer(name: string): unknown {
  try {
    // eslint-disable-next-line @typescript-eslint/no-require-imports -- a lazy, conditional load is the point
    return require(name) as unknown;
  } catch (error) {
    if (isMissing(error, name)) return undefined;
    throw error;
  }
}

/** True when `error` says that `name` itself (not one of its own dependencies) cannot be found. */
function isMissing(error: unknown, name: string): boolean {
  const { code, message } = (error ?? {}) as { code?: unknown; message?: unknown };
  return code === 'MODULE_NOT_FOUND' && typeof message === 'string' && message.includes(`'${name}'`);
}
