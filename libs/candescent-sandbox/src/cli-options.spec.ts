import { DEMO_CUSTOMERS, SECOND_FI_DEMO_CUSTOMERS } from './demo-customers';
import { DEMO_INSTITUTIONS, SECOND_FI_DEMO_CREDENTIALS } from './demo-institutions';
import { describeSandbox, parseCliOptions } from './cli-options';
import { CandescentSandbox } from './sandbox';
import { DEFAULT_SANDBOX_CREDENTIALS } from './sandbox.options';

describe('sandbox command line', () => {
  it('serves one FI by default and two with --two-institutions or SANDBOX_TWO_INSTITUTIONS', () => {
    expect(parseCliOptions([], {})).toEqual({ host: '127.0.0.1', port: 4010 });
    expect(parseCliOptions(['--two-institutions'], { SANDBOX_PORT: '0' })).toEqual({
      host: '127.0.0.1',
      port: 0,
      institutions: DEMO_INSTITUTIONS,
    });
    expect(parseCliOptions([], { SANDBOX_TWO_INSTITUTIONS: 'true' }).institutions).toBe(DEMO_INSTITUTIONS);
    expect(parseCliOptions([], { SANDBOX_TWO_INSTITUTIONS: '0' }).institutions).toBeUndefined();
  });

  it.each<[string[], NodeJS.ProcessEnv, RegExp]>([
    [['--two'], {}, /unknown argument --two\nusage: candescent-sandbox \[--two-institutions\]/],
    [[], { SANDBOX_TWO_INSTITUTIONS: 'yes' }, /SANDBOX_TWO_INSTITUTIONS must be true, false, 1 or 0, got 'yes'/],
    [[], { SANDBOX_PORT: '70000' }, /SANDBOX_PORT must be a port number/],
  ])('refuses %j %j with what to do', (argv, env, message) => {
    expect(() => parseCliOptions(argv, env)).toThrow(message);
  });

  it("prints each FI's demo credentials and its own customers", () => {
    const lines = describeSandbox(new CandescentSandbox({ institutions: DEMO_INSTITUTIONS }), 'http://127.0.0.1:4010');
    const text = lines.join('\n');
    const at43 = lines.indexOf('  FI 00043');
    expect(lines.indexOf('  FI 00042')).toBe(1);
    expect(at43).toBeGreaterThan(1);
    expect(lines.slice(1, at43).join('\n')).toContain(`consumer secret: ${DEFAULT_SANDBOX_CREDENTIALS.consumerSecret}`);
    expect(lines.slice(at43).join('\n')).toContain(`consumer key:    ${SECOND_FI_DEMO_CREDENTIALS.consumerKey}`);
    expect(lines.slice(at43).join('\n')).toContain(`consumer secret: ${SECOND_FI_DEMO_CREDENTIALS.consumerSecret}`);
    for (const customer of [...DEMO_CUSTOMERS, ...SECOND_FI_DEMO_CUSTOMERS]) {
      const section = customer.fiId === '00042' ? lines.slice(1, at43) : lines.slice(at43);
      expect(section.join('\n')).toContain(`di_ficustomer ${customer.fiCustomerId}`);
    }
    expect(text).toContain('POST /oauth2/v1/token');
  });
});
