import { createPrivateKey, type KeyObject, X509Certificate } from 'node:crypto';
import { isIP } from 'node:net';

/**
 * TLS to Redis (a managed Redis, or one with `tls-port`). Certificates are always verified:
 * against `ca` when given, else against Node's trusted CAs; there is no switch to turn that off.
 */
export interface CandescentRedisTlsOptions {
  /**
   * PEM certificate(s) of the CA that signed the server's certificate, for a private CA (several
   * may be concatenated). Without it the server's certificate must chain to a CA Node trusts.
   */
  ca?: string | Buffer;
  /** PEM client certificate (optionally followed by its chain), for a server that checks clients (`tls-auth-clients`); with `key`. */
  cert?: string | Buffer;
  /** Unencrypted PEM private key of `cert`. Never printed or logged. */
  key?: string | Buffer;
  /**
   * The DNS name the server's certificate must carry (also sent as SNI), when it differs from the
   * host connected to, e.g. Cluster nodes or a Sentinel's master reached by IP address. Without
   * it the host connected to is checked.
   */
  servername?: string;
}

const CERTIFICATE_BLOCK = /-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g;
const HOST_NAME =
  /^(?=.{1,253}$)[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]{0,61}[A-Za-z0-9])?)*$/;

const text = (value: unknown): string | undefined =>
  typeof value === 'string' ? value : Buffer.isBuffer(value) ? value.toString('utf8') : undefined;

/** The certificates of a PEM text (string or Buffer), or undefined unless it holds at least one and each parses. */
export function pemCertificates(value: unknown): X509Certificate[] | undefined {
  const pem = text(value);
  if (pem === undefined || pem.length > 1_000_000) return undefined;
  const blocks = pem.match(CERTIFICATE_BLOCK) ?? [];
  if (blocks.length === 0) return undefined;
  try {
    return blocks.map((block) => new X509Certificate(block));
  } catch {
    return undefined;
  }
}

/** The private key of an unencrypted PEM text, or undefined. */
export function pemPrivateKey(value: unknown): KeyObject | undefined {
  const pem = text(value);
  if (pem === undefined || pem.length > 100_000 || !/-----BEGIN [A-Z ]*PRIVATE KEY-----/.test(pem)) return undefined;
  try {
    return createPrivateKey({ key: pem, format: 'pem' });
  } catch {
    return undefined;
  }
}

/** A DNS host name fit for SNI (an IP address is not: RFC 6066). */
export function isServerName(value: unknown): boolean {
  return typeof value === 'string' && isIP(value) === 0 && HOST_NAME.test(value);
}

/** What each TLS field must be, in the words of the start-up error. */
export const TLS_EXPECTED = {
  tls: 'an object { ca, cert, key, servername } (each optional; {} is TLS with the CAs Node trusts)',
  ca: 'PEM text (string or Buffer) with one or more CERTIFICATE blocks',
  cert: 'PEM text (string or Buffer) starting with the client CERTIFICATE, given with key',
  key: 'an unencrypted PEM private key (string or Buffer) that belongs to cert, given with cert',
  servername: 'a DNS host name (not an IP address) the server certificate carries',
} as const;

/** Problems of one TLS object, fields named under `prefix` (`redis.tls`); values never shown. */
export function tlsProblems(tls: unknown, prefix: string): Array<{ field: string; expected: string }> {
  if (typeof tls !== 'object' || tls === null || Array.isArray(tls)) {
    return [{ field: prefix, expected: TLS_EXPECTED.tls }];
  }
  const { ca, cert, key, servername, ...rest } = tls as Record<string, unknown>;
  const problems = Object.keys(rest).map((name) => ({
    field: `${prefix}.${name}`,
    expected: 'nothing: there is no such option; remove it or check its spelling',
  }));
  if (ca !== undefined && !pemCertificates(ca)) problems.push({ field: `${prefix}.ca`, expected: TLS_EXPECTED.ca });
  if (servername !== undefined && !isServerName(servername))
    problems.push({ field: `${prefix}.servername`, expected: TLS_EXPECTED.servername });
  if (cert === undefined && key === undefined) return problems;
  const certificate = pemCertificates(cert)?.[0];
  const privateKey = pemPrivateKey(key);
  if (!certificate) problems.push({ field: `${prefix}.cert`, expected: TLS_EXPECTED.cert });
  if (!privateKey) problems.push({ field: `${prefix}.key`, expected: TLS_EXPECTED.key });
  else if (certificate && !certificate.checkPrivateKey(privateKey)) {
    problems.push({ field: `${prefix}.key`, expected: `${TLS_EXPECTED.key} (it belongs to another certificate)` });
  }
  return problems;
}
