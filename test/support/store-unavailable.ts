import { STORE_UNAVAILABLE_MESSAGE } from '../../libs/candescent-auth/src/store/redis.store';
import type { ErrorBody, Reply } from './app-testing';

/**
 * Checks the answer a client gets while the session store is down: 503 with the fixed body, and
 * nothing about where Redis is or what the driver said (that goes to the log only).
 */
export function expectStoreUnavailable(reply: Reply, ports: readonly number[] = []): ErrorBody {
  expect(reply.status).toBe(503);
  const body = reply.json<ErrorBody>();
  expect(body).toMatchObject({
    statusCode: 503,
    errorType: 'STORE_ERROR',
    errorCode: 'STORE_UNAVAILABLE',
    message: STORE_UNAVAILABLE_MESSAGE,
  });
  // The trace id is random hex: a port number may turn up inside it by chance.
  const text = reply.text.replace(body.traceId ?? '', '');
  expect(text).not.toMatch(/127\.0\.0\.1|localhost|ECONNREFUSED|max ?retries|connection|sentinel|redis:\/\//i);
  for (const port of ports) expect(text).not.toContain(String(port));
  return body;
}
