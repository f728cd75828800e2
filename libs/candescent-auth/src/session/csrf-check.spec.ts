import { createHash, randomBytes } from 'node:crypto';
import { Test, type TestingModule } from '@nestjs/testing';
import { CandescentAuthModule } from '../candescent-auth.module';
import { constantTimeEqual } from '../crypto/constant-time-equal';
import { CandescentSessionService } from './candescent-session.service';
import type { StoredSession } from './stored-session.interface';

const csrfToken = randomBytes(24).toString('base64url');
/** Computed here, not through the module's helper, so a change of hashing there shows. */
const session = { csrfHash: createHash('sha256').update(csrfToken).digest('base64url') } as StoredSession;

describe('the session CSRF check', () => {
  let moduleRef: TestingModule;
  let sessions: CandescentSessionService;

  beforeAll(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [
        CandescentAuthModule.forRoot({
          baseUrl: 'https://api.candescent.example/digitalbanking',
          consumerKey: 'csrf-key',
          consumerSecret: 'csrf-secret-Qw83',
          fiId: '00042',
          session: { transport: 'cookie' },
        }),
      ],
    }).compile();
    sessions = moduleRef.get(CandescentSessionService);
  });

  afterAll(() => moduleRef.close());

  it('accepts the token the session was given', () => {
    expect(sessions.csrfMatches(session, csrfToken)).toBe(true);
  });

  it('refuses a wrong token of the same length', () => {
    const wrong = `${csrfToken.slice(0, -1)}${csrfToken.endsWith('A') ? 'B' : 'A'}`;
    expect(wrong).toHaveLength(csrfToken.length);
    expect(sessions.csrfMatches(session, wrong)).toBe(false);
  });

  it('refuses a wrong token of another length, a missing one, and any token when the session has none', () => {
    expect(sessions.csrfMatches(session, `${csrfToken}x`)).toBe(false);
    expect(sessions.csrfMatches(session, csrfToken.slice(1))).toBe(false);
    expect(sessions.csrfMatches(session, undefined)).toBe(false);
    expect(sessions.csrfMatches({ ...session, csrfHash: undefined }, csrfToken)).toBe(false);
  });

  it('refuses, rather than throws, when the stored hash has another length (a tampered store)', () => {
    expect(sessions.csrfMatches({ ...session, csrfHash: `${session.csrfHash ?? ''}==` }, csrfToken)).toBe(false);
  });
});

describe('constantTimeEqual', () => {
  it('is true only for the same string, and false for different lengths without throwing', () => {
    expect(constantTimeEqual('abc', 'abc')).toBe(true);
    expect(constantTimeEqual('abc', 'abd')).toBe(false);
    expect(constantTimeEqual('abc', 'abcd')).toBe(false);
    expect(constantTimeEqual('', 'a')).toBe(false);
    // Same number of characters, different number of bytes.
    expect(constantTimeEqual('é', 'e')).toBe(false);
  });
});
