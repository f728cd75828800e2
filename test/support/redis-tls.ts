import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { describeWithBinary, findBinary, type SystemBinary } from './system-binary';
import { REDIS_SERVER } from './redis-server';

const run = promisify(execFile);

export const OPENSSL: SystemBinary = {
  label: 'openssl',
  names: ['openssl'],
  pathVariable: 'OPENSSL_BIN',
  requireVariable: 'REQUIRE_REDIS',
  debianPackage: 'openssl',
};

/** The only name on the servers' certificate, as a managed Redis's certificate names its endpoint, never an IP address. */
export const TLS_SERVER_NAME = 'redis.candescent.test';

/** A certificate and its private key, as files (for redis-server) and as PEM text (for the module). */
export interface IssuedCertificate {
  certFile: string;
  keyFile: string;
  cert: string;
  key: string;
}

/** A throwaway CA with a server and a client certificate it signed, and a CA nobody trusts. */
export interface TlsMaterial {
  /** The CA's certificate file and PEM. */
  caFile: string;
  ca: string;
  /** For {@link TLS_SERVER_NAME} only: reached at 127.0.0.1, a client must name it (`servername`). */
  server: IssuedCertificate;
  /** A client certificate, for a server with `tls-auth-clients yes`. */
  client: IssuedCertificate;
  /** Another CA, and a client certificate it signed: what the server must refuse. */
  strangerCa: string;
  stranger: IssuedCertificate;
  /** Removes the files. */
  remove(): Promise<void>;
}

/** `describe` for suites that need openssl and redis-server, or a loud skip. */
export function describeRedisTls(name: string, fn: () => void): void {
  describeWithBinary(findBinary(REDIS_SERVER) ? OPENSSL : REDIS_SERVER, name, fn);
}

/**
 * Makes a CA, a server certificate (for {@link TLS_SERVER_NAME}) and a client certificate with
 * `openssl` in a temporary directory, plus a second CA with a client certificate of its own.
 * EC keys, so it takes well under a second.
 */
export async function makeTlsMaterial(): Promise<TlsMaterial> {
  const openssl = findBinary(OPENSSL);
  if (!openssl) throw new Error('openssl not found on PATH');
  const dir = await mkdtemp(join(tmpdir(), 'candescent-tls-'));
  const ssl = (...args: string[]) => run(openssl, args, { cwd: dir, timeout: 10_000 });
  const key = (name: string) => ssl('genpkey', '-algorithm', 'EC', '-pkeyopt', 'ec_paramgen_curve:P-256', '-out', name);
  const ca = async (name: string) => {
    await key(`${name}.key`);
    await ssl(
      'req',
      '-x509',
      '-new',
      '-key',
      `${name}.key`,
      '-days',
      '2',
      '-subj',
      `/CN=${name}`,
      '-out',
      `${name}.crt`,
    );
  };
  const issue = async (name: string, by: string, extensions: string): Promise<IssuedCertificate> => {
    await key(`${name}.key`);
    await ssl('req', '-new', '-key', `${name}.key`, '-subj', `/CN=${name}`, '-out', `${name}.csr`);
    await writeFile(join(dir, `${name}.ext`), extensions);
    await ssl(
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      `${by}.crt`,
      '-CAkey',
      `${by}.key`,
      '-CAcreateserial',
      '-days',
      '2',
      '-extfile',
      `${name}.ext`,
      '-out',
      `${name}.crt`,
    );
    const certFile = join(dir, `${name}.crt`);
    const keyFile = join(dir, `${name}.key`);
    return { certFile, keyFile, cert: await readFile(certFile, 'utf8'), key: await readFile(keyFile, 'utf8') };
  };
  try {
    await ca('test-ca');
    await ca('stranger-ca');
    const server = await issue(
      'server',
      'test-ca',
      // Redis shows its own certificate as a client too (replication, the cluster bus).
      `subjectAltName=DNS:${TLS_SERVER_NAME}\nextendedKeyUsage=serverAuth,clientAuth\n`,
    );
    const client = await issue('client', 'test-ca', 'extendedKeyUsage=clientAuth\n');
    const stranger = await issue('stranger', 'stranger-ca', 'extendedKeyUsage=clientAuth\n');
    return {
      caFile: join(dir, 'test-ca.crt'),
      ca: await readFile(join(dir, 'test-ca.crt'), 'utf8'),
      server,
      client,
      strangerCa: await readFile(join(dir, 'stranger-ca.crt'), 'utf8'),
      stranger,
      remove: () => rm(dir, { recursive: true, force: true }),
    };
  } catch (error) {
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
