import { inspect } from 'node:util';
import { CandescentConfigurationError } from '../errors/candescent-auth.error';
import { validateInstitution, validateOptions } from './validate-options';

const SECRET_NORTH = 'north-secret-Zq81!x';
const SECRET_SOUTH = 'south-secret-Yp72!w';
const north = {
  id: 'north',
  baseUrl: 'https://north.example.com',
  consumerKey: 'key-n',
  consumerSecret: SECRET_NORTH,
  fiId: '00042',
};
const south = {
  id: 'south',
  baseUrl: 'https://south.example.com/digitalbanking/',
  consumerKey: 'key-s',
  consumerSecret: SECRET_SOUTH,
  fiId: '00043',
  tokenServices: ['v1', 'v2'] as ('v1' | 'v2')[],
};

function rejection(run: () => unknown): CandescentConfigurationError {
  try {
    run();
  } catch (error: unknown) {
    if (error instanceof CandescentConfigurationError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

describe('the institutions option', () => {
  it('resolves each institution with the module-wide defaults, the first as the default', () => {
    const resolved = validateOptions({ institutions: [north, south], scopes: ['accounts:read'] });
    expect(resolved.institutions.map((i) => [i.id, i.origin, i.baseUrl, i.tokenServices, i.scopes])).toEqual([
      ['north', 'https://north.example.com', 'https://north.example.com', ['v2'], ['accounts:read']],
      [
        'south',
        'https://south.example.com',
        'https://south.example.com/digitalbanking',
        ['v1', 'v2'],
        ['accounts:read'],
      ],
    ]);
    expect(resolved).toMatchObject({ baseUrl: north.baseUrl, fiId: '00042', consumerKey: 'key-n' });
    // Printing the options never shows a secret of any institution.
    const printed = [resolved, resolved.institutions, resolved.institutions[1]]
      .map((value) => inspect(value, { depth: 10 }) + JSON.stringify(value))
      .join('\n');
    expect(printed).not.toContain(SECRET_NORTH);
    expect(printed).not.toContain(SECRET_SOUTH);
  });

  it('names each bad field of each entry with the words of the same field at the top, never a value', () => {
    const error = rejection(() =>
      validateOptions({
        institutions: [
          { ...north, fiId: '0 42' },
          { ...south, id: 'north', baseUrl: 'http://south.example.com', institutionTokenService: 'v3' },
        ],
      }),
    );
    expect(error.problems.map((p) => p.field)).toEqual([
      'institutions[0].fiId',
      'institutions[1].institutionTokenService',
      'institutions[1].baseUrl',
      'institutions[1].id',
    ]);
    expect(error.message).toContain('institutions[0].fiId: expected the FI id as a string of 1-20 letters or digits');
    expect(error.message).not.toContain(SECRET_SOUTH);
    expect(error.message).not.toContain('0 42');
  });

  it('takes either the list or one FI at the top, not both, and a list of at least one', () => {
    const both = rejection(() => validateOptions({ institutions: [north], baseUrl: north.baseUrl, fiId: '00042' }));
    expect(both.problems.map((p) => p.field)).toEqual(['baseUrl', 'fiId']);
    expect(rejection(() => validateOptions({ institutions: [] })).problems.map((p) => p.field)).toEqual([
      'institutions',
    ]);
    const neither = rejection(() => validateOptions({}));
    expect(neither.problems.map((p) => p.field)).toEqual(['baseUrl', 'consumerKey', 'consumerSecret', 'fiId']);
  });

  it('validates an institution added at run time with the same words, and says when the id does not fit', () => {
    const options = validateOptions({ institutions: [north] });
    expect(validateInstitution(south, options, () => true)).toMatchObject({ id: 'south', fiId: '00043' });
    const taken = rejection(() => validateInstitution(north, options, (id) => id !== 'north'));
    expect(taken.problems.map((p) => p.field)).toEqual(['id']);
    expect(taken.message).toContain('a new one to add');
    const bad = rejection(() => validateInstitution({ ...south, consumerKey: 'a:b', extra: 1 }, options, () => true));
    expect(bad.problems.map((p) => p.field).sort()).toEqual(['consumerKey', 'extra']);
    expect(bad.message).not.toContain(SECRET_SOUTH);
  });
});
