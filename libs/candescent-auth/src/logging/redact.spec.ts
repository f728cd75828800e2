import { REDACTED, forgetSecret, redact, registerPermanentSecret, registerSecret } from './redact';

describe('redact', () => {
  it('removes a registered token wherever it stands, glued to other text or URL-encoded', () => {
    const token = 'tok_A1b2C3d4E5f6+/G7h8==';
    registerSecret(token);
    for (const text of [
      `x${token}y`,
      `Bearer ${token}.`,
      `token=${encodeURIComponent(token)}&a=1`,
      `${token}${token}`,
    ]) {
      const out = redact(text);
      expect(out).not.toContain(token);
      expect(out).not.toContain(encodeURIComponent(token));
      expect(out).toContain(REDACTED);
    }
  });

  it('prefers the longest registered value when two share a prefix', () => {
    registerSecret('prefix12-short');
    registerSecret('prefix12-short-and-longer');
    expect(redact('see prefix12-short-and-longer here')).toBe(`see ${REDACTED} here`);
  });

  it('keeps configuration secrets after the run-time registry has turned over', () => {
    registerPermanentSecret('boot-secret-QwE9');
    for (let i = 0; i < 100_500; i++) registerSecret(`churn-${i.toString(36).padStart(10, '0')}`);
    expect(redact('said boot-secret-QwE9 twice: boot-secret-QwE9')).toBe(`said ${REDACTED} twice: ${REDACTED}`);
    // The oldest run-time values were evicted, the newest are still known.
    expect(redact('churn-0000000000')).toBe('churn-0000000000');
    expect(redact(`churn-${(100_499).toString(36).padStart(10, '0')}`)).toBe(REDACTED);
  });

  it('re-registering a token keeps it from eviction; forgetting removes it', () => {
    registerSecret('kept-alive-token-1');
    for (let i = 0; i < 1_000; i++) registerSecret(`filler-${i}-xxxxxxxx`);
    registerSecret('kept-alive-token-1');
    expect(redact('kept-alive-token-1')).toBe(REDACTED);
    forgetSecret('kept-alive-token-1');
    expect(redact('kept-alive-token-1')).toBe('kept-alive-token-1');
  });

  it('leaves text without secrets alone', () => {
    expect(redact('Candescent V2 token service answered 503')).toBe('Candescent V2 token service answered 503');
  });

  it('finds tokens in every common encoding: form-encoded, lower-case escapes, JSON-escaped slashes', () => {
    const token = "tok~with'(parens)!and+slash/9Q";
    registerSecret(token);
    const forms = [
      new URLSearchParams({ t: token }).toString(),
      encodeURIComponent(token).replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()),
      JSON.stringify({ value: token }).replace(/\//g, '\\/'),
    ];
    for (const text of forms) expect(redact(text)).not.toMatch(/with|parens|slash/);
  });

  it('a short permanent secret inside a registered token does not cut it and leave the rest', () => {
    registerSecret('AAAAbbbbCCCCPassw0ddddEEEEffff');
    registerPermanentSecret('Passw0');
    expect(redact('x AAAAbbbbCCCCPassw0ddddEEEEffff y')).toBe(`x ${REDACTED} y`);
  });

  it('short run-time values can be forgotten', () => {
    registerSecret('abc1234');
    expect(redact('abc1234')).toBe(REDACTED);
    forgetSecret('abc1234');
    expect(redact('abc1234')).toBe('abc1234');
  });

  it('stays linear when many registered tokens share a prefix', () => {
    for (let i = 0; i < 100_000; i++) registerSecret(`eyJhbGci-${i.toString(36).padStart(24, '0')}`);
    const text = 'eyJhbGci-not-a-registered-token '.repeat(500);
    const started = process.hrtime.bigint();
    const out = redact(text);
    const ms = Number(process.hrtime.bigint() - started) / 1e6;
    expect(out).toBe(text);
    // One set lookup per distinct length at each prefix hit, not one comparison per token.
    expect(ms).toBeLessThan(400);
  });
});
