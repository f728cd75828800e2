/** The upstream route every outgoing-GET app calls, served by the backend process. */
export const UPSTREAM_PATH = '/bench/data';

/** What the upstream answers: a small JSON body, like an accounts summary. */
export const UPSTREAM_BODY = JSON.stringify({
  accounts: [{ id: '0042000101', type: 'CHECKING', balance: '2450.17', currency: 'USD' }],
});

/**
 * The fixed bearer of the static-header floor, accepted by the upstream next to the sandbox's
 * tokens: the floor is what an outgoing call costs with no token logic at all.
 */
export const STATIC_BEARER = 'static-floor-token';
