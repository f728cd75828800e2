import { CandescentContextMiddleware } from './candescent-context.middleware';
import { CandescentContext } from './request-context';
import { validateOptions } from '../options/validate-options';

const COOKIE = '__Host-candescent_session';

/** Whether the middleware ran the rest of the request inside a context. */
function opensContext(middleware: CandescentContextMiddleware, headers: Record<string, string | string[]>): boolean {
  let opened = false;
  middleware.use({ headers }, undefined, () => {
    opened = CandescentContext.current() !== undefined;
  });
  return opened;
}

describe('CandescentContextMiddleware with the cookie transport', () => {
  const middleware = new CandescentContextMiddleware(
    validateOptions({
      baseUrl: 'https://api.sandbox.candescent.com',
      consumerKey: 'key',
      consumerSecret: 'secret',
      fiId: '00042',
      session: { transport: 'cookie' },
    }),
    { context: 'sessions', isGlobal: false, errorFilter: true },
  );

  it('reads the Cookie header with the guard parser: array-valued headers and spaced names count', () => {
    expect(opensContext(middleware, { cookie: ['theme=dark', `${COOKIE}=abc`] })).toBe(true);
    expect(opensContext(middleware, { cookie: [`${COOKIE} =abc`] })).toBe(true);
    expect(opensContext(middleware, { cookie: `${COOKIE} =abc` })).toBe(true);
  });

  it('opens none for requests without the session cookie', () => {
    expect(opensContext(middleware, { cookie: ['theme=dark'] })).toBe(false);
    expect(opensContext(middleware, { cookie: `note=${COOKIE}` })).toBe(false);
    expect(opensContext(middleware, {})).toBe(false);
  });
});
