import { DEMO_CUSTOMERS, SECOND_FI_DEMO_CUSTOMERS } from '@candescent/sandbox';

/** What `npm start` knows when it prints its banner. */
export interface BannerFacts {
  /** Where the app listens, e.g. `http://127.0.0.1:3000`. */
  url: string;
  /** `SESSION_TRANSPORT`: the curl lines to try depend on it. */
  transport: 'bearer' | 'cookie';
  /** Where metrics are served, when they are. */
  metricsUrl?: string;
  /** The embedded sandbox's URL, when the app runs on it. */
  sandboxUrl?: string;
}

/** The start-up lines of `npm start`: where things are, and what to try. */
export function startUpBanner(facts: BannerFacts): string[] {
  const { url } = facts;
  const lines = [
    `Sample app listening on ${url}`,
    `Demo page: ${url}/ (session transport: ${facts.transport}); API docs: ${url}/docs`,
  ];
  if (facts.metricsUrl) lines.push(`Metrics for Prometheus: ${facts.metricsUrl} (loopback only)`);
  if (!facts.sandboxUrl) return lines;
  const [demo] = DEMO_CUSTOMERS;
  const customers = (list: typeof DEMO_CUSTOMERS) => list.map((c) => `${c.username} / ${c.password}`).join(', ');
  lines.push(
    `Embedded Candescent sandbox on ${facts.sandboxUrl} with two FIs (set CANDESCENT_INSTITUTIONS or CANDESCENT_BASE_URL to use a real environment)`,
    `Demo customers of cu-north (FI 00042, the default): ${customers(DEMO_CUSTOMERS)}`,
    `Demo customers of cu-harbor (FI 00043): ${customers(SECOND_FI_DEMO_CUSTOMERS)}`,
    `Try (institution token, no session): curl -s '${url}/institution/accounts?loginId=${demo.username}&institution=cu-harbor'`,
  );
  if (facts.transport === 'cookie') {
    // A cookie session is the browser's: curl would need a cookie jar and the CSRF header.
    lines.push(
      'Customer sessions: log in on the demo page, or restart with SESSION_TRANSPORT=bearer npm start for curl',
    );
    return lines;
  }
  const login = JSON.stringify({ username: demo.username, password: demo.password, institution: 'cu-harbor' });
  lines.push(
    `Log in: TOKEN=$(curl -s -X POST ${url}/auth/login -H 'Content-Type: application/json' -d '${login}' | node -pe 'JSON.parse(require("fs").readFileSync(0)).sessionToken')`,
    `Then: curl -s ${url}/accounts -H "Authorization: Bearer $TOKEN"`,
  );
  return lines;
}
