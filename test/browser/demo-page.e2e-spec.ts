import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { type Browser, type BrowserContext, chromium, type Page, type Response } from 'playwright-core';
import { DEMO_CUSTOMERS, SECOND_FI_DEMO_CUSTOMERS } from '@candescent/sandbox';
import { type RunningSample, startSample } from '../support/app-testing';
import { chromiumBinary, describeBrowser, inSteps } from './browser-support';

const [alice, bob] = DEMO_CUSTOMERS;
const [harborAlice] = SECOND_FI_DEMO_CUSTOMERS;
const COOKIE = '__Host-candescent_session';

/** Another site: a page on http://localhost:<port> whose forms post to the sample on http://127.0.0.1. */
async function startAttacker(target: string): Promise<{ url: string; close: () => Promise<void> }> {
  const page = `<!doctype html><title>elsewhere</title>
<form id="forged" method="POST" action="${target}/auth/logout"><button id="go">Win a prize</button></form>`;
  const server: Server = createServer((_req, res) => {
    res.writeHead(200, { 'content-type': 'text/html' }).end(page);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://localhost:${port}/`,
    close: () =>
      new Promise<void>((resolve) => {
        server.closeAllConnections();
        server.close(() => {
          resolve();
        });
      }),
  };
}

const state = (page: Page) => page.locator('body').getAttribute('data-state');

describeBrowser('the demo page in Chromium (cookie transport)', () => {
  let sample: RunningSample;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;

  beforeAll(async () => {
    sample = await startSample({ SESSION_TRANSPORT: 'cookie' });
    browser = await chromium.launch({ executablePath: chromiumBinary(), headless: true, args: ['--no-sandbox'] });
    context = await browser.newContext({ viewport: { width: 390, height: 844 } }); // a phone
    // Playwright gives up well before Jest does, so a stuck step still leaves its screenshots.
    context.setDefaultTimeout(10_000);
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser.close();
    await sample.close();
  });

  it('logs in, keeps the session across a reload, refuses a cross-site POST, logs out, and shows the login form when the session expires', async () => {
    await inSteps(page, 'demo page', async (step) => {
      await step('open the page: the login form is shown, and nothing it asked for failed', async () => {
        // A first visit has no session: no probe that answers 401, no favicon that answers 404.
        const failed: string[] = [];
        const record = (answer: Response) => {
          if (answer.status() >= 400) failed.push(`${answer.status()} ${new URL(answer.url()).pathname}`);
        };
        page.on('response', record);
        const response = await page.goto(`${sample.url}/`, { waitUntil: 'networkidle' });
        page.off('response', record);
        expect(failed).toEqual([]);
        expect(response?.headers()['content-security-policy']).toContain("script-src 'self'");
        await page.locator('#login').waitFor({ state: 'visible' });
        expect(await state(page)).toBe('login');
        // Accessible names come from the labels.
        await expect(page.getByLabel('Username').count()).resolves.toBe(1);
        await expect(page.getByLabel('Password').count()).resolves.toBe(1);
        // The sample serves two FIs: the picker offers both, the default chosen.
        const institution = page.getByLabel('Institution', { exact: true });
        await institution.waitFor({ state: 'visible' });
        expect(await institution.locator('option').allTextContents()).toEqual([
          'cu-north (FI 00042)',
          'cu-harbor (FI 00043)',
        ]);
        expect(await institution.inputValue()).toBe('cu-north');
      });

      await step('log in with the keyboard only', async () => {
        await page.getByLabel('Username').focus();
        await page.keyboard.type(alice.username);
        await page.keyboard.press('Tab');
        await page.keyboard.type(alice.password);
        await page.keyboard.press('Enter');
        await page.locator('#session').waitFor({ state: 'visible' });
        expect(await page.locator('#profile-login').textContent()).toBe(alice.username);
        // A V2 login names no customer id or member number: those rows are left out, not filled with a placeholder.
        expect(await page.locator('#profile-customer-row').isHidden()).toBe(true);
        expect(await page.locator('#profile-member-row').isHidden()).toBe(true);
        expect(await page.locator('#profile').textContent()).not.toContain('none');
      });

      await step('the accounts are shown', async () => {
        await page.locator('#accounts tbody tr').first().waitFor();
        const rows = await page.locator('#accounts tbody tr').allTextContents();
        expect(rows).toHaveLength(alice.accounts.length);
        expect(rows.join(' ')).toContain(alice.accounts[0].name);
      });

      await step('the session cookie is HttpOnly and Secure, and script cannot read it', async () => {
        const cookies = await context.cookies(sample.url);
        const session = cookies.find((c) => c.name === COOKIE);
        expect(session).toMatchObject({ httpOnly: true, secure: true, sameSite: 'Strict', path: '/' });
        expect(await page.evaluate<string>('document.cookie')).not.toContain('candescent_session');
      });

      await step('a reload keeps the session', async () => {
        await page.reload();
        await page.locator('#accounts tbody tr').first().waitFor();
        expect(await state(page)).toBe('session');
      });

      await step('the institution status is shown, without a token', async () => {
        await page.locator('#institution').click();
        await expect(
          page.locator('#institution-result').filter({ hasText: 'Held: yes' }).waitFor(),
        ).resolves.toBeUndefined();
      });

      await step('a forged POST from another site is refused and the session survives', async () => {
        const attacker = await startAttacker(sample.url);
        const other = await context.newPage();
        try {
          await other.goto(attacker.url);
          const [answer] = await Promise.all([
            other.waitForResponse(`${sample.url}/auth/logout`),
            other.locator('#go').click(),
          ]);
          const body = (await answer.json()) as { errorCode?: string };
          expect([401, 403]).toContain(answer.status());
          expect(['SESSION_MISSING', 'CSRF_REJECTED']).toContain(body.errorCode);
          console.log(`[browser] forged cross-site logout answered ${answer.status()} ${String(body.errorCode)}`);
        } finally {
          await other.close();
          await attacker.close();
        }
        await page.reload();
        await page.locator('#accounts tbody tr').first().waitFor();
        expect(await state(page)).toBe('session');
      });

      await step('logout ends the session', async () => {
        await page.locator('#logout').click();
        await page.locator('#login').waitFor({ state: 'visible' });
        expect(await page.locator('#notice').textContent()).toContain('logged out');
        expect((await context.cookies(sample.url)).some((c) => c.name === COOKIE)).toBe(false);
        const status = await page.evaluate(async () => (await fetch('/me')).status);
        expect(status).toBe(401);
      });

      await step('alice of the second FI picks it and sees her own accounts there', async () => {
        await page.getByLabel('Institution', { exact: true }).selectOption('cu-harbor');
        await page.getByLabel('Username').fill(harborAlice.username);
        await page.getByLabel('Password').fill(harborAlice.password);
        await page.getByRole('button', { name: 'Log in' }).click();
        await page.locator('#accounts tbody tr').first().waitFor();
        expect(await page.locator('#profile-institution').textContent()).toBe('cu-harbor (FI 00043)');
        const rows = (await page.locator('#accounts tbody tr').allTextContents()).join(' ');
        for (const account of harborAlice.accounts) expect(rows).toContain(account.id);
        for (const account of alice.accounts) expect(rows).not.toContain(account.id);
        await page.locator('#institution').click();
        await page.locator('#institution-result').filter({ hasText: 'token of cu-harbor' }).waitFor();
        await page.locator('#logout').click();
        await page.locator('#login').waitFor({ state: 'visible' });
        await page.getByLabel('Institution', { exact: true }).selectOption('cu-north');
      });

      await step('an expired session shows the login form again with its error code', async () => {
        // Tokens issued from now on live one second; the session cannot be renewed after that.
        sample.sandbox.configure({ accessTokenTtlSeconds: 1, refreshTokenTtlSeconds: 1 });
        await page.getByLabel('Username').fill(bob.username);
        await page.getByLabel('Password').fill(bob.password);
        await page.getByRole('button', { name: 'Log in' }).click();
        await page.locator('#accounts tbody tr').first().waitFor();
        await page.waitForTimeout(1_500);
        await page.locator('#refresh').click();
        await page.locator('#login').waitFor({ state: 'visible' });
        expect(await page.locator('#error-code').textContent()).toBe('SESSION_EXPIRED');
        expect(await page.locator('#error-trace').textContent()).toMatch(/^[0-9a-f-]{36}$/);
      });
    });
  }, 60_000);
});
