import { inspect } from 'node:util';
import { classifyTokenError } from '../token/token-error.classifier';
import {
  CandescentConfigurationError,
  CandescentInvalidRequestError,
  CandescentUnavailableError,
} from './candescent-auth.error';

const v2Refusal = (code: string, message: string, status = 400) =>
  classifyTokenError(
    { status, headers: { 'content-type': 'application/json' }, body: JSON.stringify({ code, message }) },
    { service: 'v2', grant: 'password', traceId: 'trace-1', now: Date.UTC(2025, 0, 1) },
  );

describe('what the end user reads of an error from a Candescent call', () => {
  it("gets a fixed sentence per class; Candescent's text stays in message and toJSON for operators", () => {
    const error = v2Refusal('CMN_90015', 'Invalid login id or password supplied', 401);
    const body = error.getResponse();
    expect(body.message).toBe('The username or password is not correct.');
    expect(body.errorCode).toBe('CMN_90015');
    expect(JSON.stringify(body)).not.toMatch(/token service|Invalid login id|rejected/);
    expect(error.message).toMatch(/Candescent V2 token service .*CMN_90015.*Invalid login id/);
    expect(error.toJSON().message).toBe(error.message);
  });

  it('hides an unavailable token service the same way, whatever Candescent said', () => {
    const error = v2Refusal('CMN_90000', 'Backend db-core-7 timed out in pool A', 503);
    expect(error).toBeInstanceOf(CandescentUnavailableError);
    expect(error.getResponse().message).toBe('The banking service is unavailable right now; try again shortly.');
    expect(error.message).toContain('db-core-7');
  });

  it("keeps the module's own message for errors that did not come from Candescent", () => {
    const error = new CandescentInvalidRequestError('Login credentials must be an object with username and password.');
    expect(error.getResponse().message).toBe('Login credentials must be an object with username and password.');
  });
});

describe('an error printed to a console or log', () => {
  it('shows its message once and no HTTP status dump (a configuration error at start-up)', () => {
    const message = 'Invalid CandescentAuthModule options (1 problem):\n  - baseUrl: expected the FI gateway URL';
    const printed = inspect(new CandescentConfigurationError(message, [{ field: 'baseUrl', expected: 'a URL' }]));
    expect(printed.split('baseUrl: expected the FI gateway URL')).toHaveLength(2);
    expect(printed).not.toMatch(/statusCode|500|Internal Server Error/);
    expect(printed).toBe(
      `CandescentConfigurationError: ${message} (errorType CONFIGURATION_ERROR, errorCode INVALID_OPTIONS)`,
    );
  });
});
