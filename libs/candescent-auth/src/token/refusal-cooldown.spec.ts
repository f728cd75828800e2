import { RefusalCooldown } from './refusal-cooldown';

describe('RefusalCooldown', () => {
  let now = 1_000;
  const clock = () => now;
  const token = (accessToken: string, issuedAt = now) => ({ accessToken, issuedAt });

  beforeEach(() => {
    now = 1_000;
  });

  it('keeps a replacement refused before it ever worked, for cooldownMs after the refusal', () => {
    const cooldown = new RefusalCooldown(500, clock, 10);
    expect(cooldown.holds('k', 'first')).toBe(false);
    cooldown.refused('k');
    cooldown.replacedBy('k', token('second'));
    now += 499;
    expect(cooldown.holds('k', 'second')).toBe(true);
    now += 1;
    expect(cooldown.holds('k', 'second')).toBe(false);
  });

  it('renews a replacement that Candescent accepted once, and any token that is not the replacement', () => {
    const cooldown = new RefusalCooldown(500, clock, 10);
    cooldown.refused('k');
    cooldown.replacedBy('k', token('second'));
    // Only the first token issued after the refusal is its replacement.
    cooldown.replacedBy('k', token('third'));
    expect(cooldown.holds('k', 'third')).toBe(false);
    expect(cooldown.holds('other-key', 'second')).toBe(false);
    cooldown.accepted('k', 'second');
    expect(cooldown.holds('k', 'second')).toBe(false);
  });

  it('does not take a token issued before the refusal as its replacement', () => {
    const cooldown = new RefusalCooldown(500, clock, 10);
    cooldown.refused('k');
    cooldown.replacedBy('k', token('older', now - 1));
    expect(cooldown.holds('k', 'older')).toBe(false);
  });
});
