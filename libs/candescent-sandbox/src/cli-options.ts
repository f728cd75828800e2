import { DEMO_INSTITUTIONS } from './demo-institutions';
import type { CandescentSandbox } from './sandbox';
import type { SandboxOptions } from './sandbox.options';

/** How the command line asks for one FI or two. */
export const CLI_USAGE =
  'usage: candescent-sandbox [--two-institutions]\n' +
  '  --two-institutions   serve FIs 00042 and 00043, each with its own consumer key, secret and customers\n' +
  '                       (or SANDBOX_TWO_INSTITUTIONS=true)\n' +
  '  SANDBOX_PORT         port to listen on (default 4010)';

/** Sandbox options from the command line and environment; throws with the usage on anything unknown. */
export function parseCliOptions(argv: readonly string[], env: NodeJS.ProcessEnv): SandboxOptions {
  const unknown = argv.filter((arg) => arg !== '--two-institutions');
  if (unknown.length > 0) throw new Error(`unknown argument ${unknown.join(' ')}\n${CLI_USAGE}`);
  const twoInstitutions = argv.includes('--two-institutions') || parseFlag(env.SANDBOX_TWO_INSTITUTIONS);
  return {
    host: '127.0.0.1',
    port: parsePort(env.SANDBOX_PORT),
    ...(twoInstitutions ? { institutions: DEMO_INSTITUTIONS } : {}),
  };
}

/** What the program prints once listening: each FI with its demo credentials and customers. */
export function describeSandbox(sandbox: CandescentSandbox, url: string): string[] {
  const lines = [`Candescent sandbox listening on ${url}`];
  for (const { fiId, consumerKey, consumerSecret } of sandbox.institutions) {
    lines.push(`  FI ${fiId}`);
    lines.push(`    consumer key:    ${consumerKey}`);
    lines.push(`    consumer secret: ${consumerSecret}`);
    const customers = sandbox.customers().filter((customer) => customer.fiId === fiId);
    lines.push(customers.length > 0 ? '    demo customers:' : '    demo customers: none');
    for (const customer of customers) {
      lines.push(
        `      ${customer.username} / ${customer.password}  (member ${customer.memberNumber}, ` +
          `di_ficustomer ${customer.fiCustomerId})`,
      );
    }
  }
  lines.push(
    '  V1 token:        POST /v1/oauth/token',
    '  V2 token:        POST /oauth2/v1/token   revoke: DELETE /oauth2/v1/revoke',
    '  accounts:        GET /db-accounts/v1/accounts',
    '                   GET /bankingservices/v2/fis/{di_fiid}/fiCustomers/{di_ficustomer}/accounts',
  );
  return lines;
}

function parseFlag(raw: string | undefined): boolean {
  if (raw === undefined || raw === '' || raw === 'false' || raw === '0') return false;
  if (raw === 'true' || raw === '1') return true;
  throw new Error(`SANDBOX_TWO_INSTITUTIONS must be true, false, 1 or 0, got '${raw}'`);
}

function parsePort(raw: string | undefined): number {
  if (raw === undefined || raw === '') return 4010;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 0 || port > 65535) {
    throw new Error(`SANDBOX_PORT must be a port number between 0 and 65535, got '${raw}'`);
  }
  return port;
}
