import { CandescentAuthError } from '../errors/candescent-auth.error';

/**
 * A stored value failed authentication: it was altered, moved to another key, or written under
 * another `CANDESCENT_STORE_KEY`. The message never contains the value.
 */
export class CandescentStoreIntegrityError extends CandescentAuthError {
  static override readonly httpStatus = 500;

  constructor(message: string) {
    super(message, { errorType: 'STORE_ERROR', errorCode: 'STORE_INTEGRITY' });
  }
}
