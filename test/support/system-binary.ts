import { accessSync, constants } from 'node:fs';
import { delimiter, join } from 'node:path';

/** A system program some suites need (Debian's redis-server, chromium), never downloaded. */
export interface SystemBinary {
  /** What the notices call it. */
  label: string;
  /** Names to look for on PATH, in order. */
  names: readonly string[];
  /** Environment variable that points at the executable instead of PATH. */
  pathVariable: string;
  /** Environment variable that turns a missing binary into a failure (CI sets it). */
  requireVariable: string;
  /** Debian package that provides it. */
  debianPackage: string;
}

/** The executable: the `pathVariable` value, or the first of `names` found on PATH. */
export function findBinary(binary: SystemBinary): string | undefined {
  const override = process.env[binary.pathVariable];
  const candidates = override
    ? [override]
    : (process.env.PATH ?? '')
        .split(delimiter)
        .filter(Boolean)
        .flatMap((dir) => binary.names.map((name) => join(dir, name)));
  return candidates.find((file) => {
    try {
      accessSync(file, constants.X_OK);
      return true;
    } catch {
      return false;
    }
  });
}

/**
 * `describe` for suites that need the binary. Without it the suite is skipped with a loud notice,
 * or fails when `requireVariable=1` (CI), so a missing program is never a silent pass.
 */
export function describeWithBinary(binary: SystemBinary, name: string, fn: () => void): void {
  if (findBinary(binary)) {
    describe(name, fn);
    return;
  }
  const where = `PATH (or at ${binary.pathVariable})`;
  if (process.env[binary.requireVariable] === '1') {
    throw new Error(
      `${binary.requireVariable}=1 but ${binary.label} was not found on ${where}; install it (apt-get install ${binary.debianPackage}) to run "${name}"`,
    );
  }
  console.warn(
    `SKIPPED: ${binary.label} not found on ${where}; "${name}" did not run. Install it (apt-get install ${binary.debianPackage}) ` +
      `or set ${binary.requireVariable}=1 to turn this into a failure.`,
  );
  describe.skip(name, fn);
}
