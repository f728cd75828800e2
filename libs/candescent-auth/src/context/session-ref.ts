import { inspect } from 'node:util';
import type { CandescentTokenSet } from '../token/token-set.interface';
import type { CandescentSessionRef } from './request-context';

/**
 * The session as the request context carries it. The token set sits in a private field, so
 * neither `util.inspect` nor `JSON.stringify` of the context (or of a promise that captured
 * the context) can print a token.
 */
export class ContextSession implements CandescentSessionRef {
  #tokens: CandescentTokenSet;

  constructor(
    readonly id: string,
    tokens: CandescentTokenSet,
    readonly renew?: (rejectedAccessToken?: string) => Promise<CandescentTokenSet>,
    readonly accepted?: (accessToken: string) => void,
    readonly owner?: symbol,
  ) {
    this.#tokens = tokens;
  }

  get tokens(): CandescentTokenSet {
    return this.#tokens;
  }

  set tokens(tokens: CandescentTokenSet) {
    this.#tokens = tokens;
  }

  toJSON(): { id: string } {
    return { id: this.id };
  }

  [inspect.custom](): string {
    return `ContextSession { id: '${this.id}' }`;
  }
}
