import { REDACTED, forgetSecret, redact, registerPermanentSecret, registerSecret } from './redact';

describe('redact', () => {
  it('removes a registered token wherever it stands, glued to other text or URL-encoded', () => {
    const token = 'tok_A1b2C3d4E5f6+/G7h8==';
    registerSecret(token);
    for (const text of [`x${token}y`, `Bearer ${token}.`, `token=${encodeURIComponent(token)}&a=1`, `${token}${token}`]) {
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
});
