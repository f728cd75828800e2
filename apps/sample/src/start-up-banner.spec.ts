import { DEMO_CUSTOMERS } from '@candescent/sandbox';
import { startUpBanner } from './start-up-banner';

const URL = 'http://127.0.0.1:3000';
const SANDBOX = 'http://127.0.0.1:4010';
const [alice] = DEMO_CUSTOMERS;

describe('the start-up banner of npm start', () => {
  it('with the bearer transport, shows the curl lines that log in and use the session token', () => {
    const text = startUpBanner({ url: URL, transport: 'bearer', sandboxUrl: SANDBOX }).join('\n');
    expect(text).toContain(`Sample app listening on ${URL}`);
    expect(text).toContain(`curl -s -X POST ${URL}/auth/login`);
    expect(text).toContain('Authorization: Bearer');
    expect(text).toContain(alice.password);
  });

  it('with the cookie transport, points at the demo page and prints no bearer curl line', () => {
    const lines = startUpBanner({ url: URL, transport: 'cookie', sandboxUrl: SANDBOX });
    const text = lines.join('\n');
    expect(text).toContain(`Demo page: ${URL}/ (session transport: cookie)`);
    // A login by curl would get a cookie and a CSRF token, not the session token bearer lines use.
    expect(text).not.toContain('/auth/login');
    expect(text).not.toContain('Bearer');
    expect(text).toContain('SESSION_TRANSPORT=bearer npm start');
    // The institution-token route needs no session, so it is worth trying either way.
    expect(text).toContain(`curl -s '${URL}/institution/accounts?loginId=${alice.username}`);
  });

  it('names the sandbox and its customers only when the app runs on it', () => {
    const text = startUpBanner({ url: URL, transport: 'bearer' }).join('\n');
    expect(text).not.toContain('sandbox');
    expect(text).not.toContain(alice.password);
  });
});
