import { readFileSync } from 'node:fs';

/**
 * The kernel's count of connections dropped because a listen queue was full (`TcpExt
 * ListenOverflows` in /proc/net/netstat), or undefined where that file does not exist. A burst of
 * new connections can overflow the sandbox's queue (Node's default backlog is 511); the client
 * then retries the connection about 1 s later, which would otherwise pass for slowness.
 */
export function listenOverflows(): number | undefined {
  let text: string;
  try {
    text = readFileSync('/proc/net/netstat', 'utf8');
  } catch {
    return undefined;
  }
  const lines = text.split('\n');
  for (let i = 0; i + 1 < lines.length; i += 1) {
    if (!lines[i].startsWith('TcpExt:') || !lines[i + 1].startsWith('TcpExt:')) continue;
    const at = lines[i].trim().split(/\s+/).indexOf('ListenOverflows');
    const value = Number(lines[i + 1].trim().split(/\s+/)[at]);
    return at < 0 || !Number.isFinite(value) ? undefined : value;
  }
  return undefined;
}
