import axios, { type InternalAxiosRequestConfig } from 'axios';
import { CandescentConfigurationError } from '../errors/candescent-auth.error';
import { checkedAdapter } from './checked-adapter';

/** A config as axios hands it to the adapter; its URL is never reached in these cases. */
const sending = { url: 'http://127.0.0.1:1/', headers: new axios.AxiosHeaders() } as InternalAxiosRequestConfig;

describe('checkedAdapter', () => {
  it('refuses the fetch adapter at send time too, before the check and before anything is sent', async () => {
    const check = jest.fn();
    const refusal = await checkedAdapter('fetch', check)(sending).catch((error: unknown) => error);
    expect(refusal).toBeInstanceOf(CandescentConfigurationError);
    expect(refusal).toMatchObject({ errorCode: 'FETCH_ADAPTER_REFUSED' });
    expect(check).not.toHaveBeenCalled();
  });

  it('rejects with what the check throws, without sending (port 1 would refuse the connection)', async () => {
    const refusal = new Error('refused');
    const checked = checkedAdapter('http', () => {
      throw refusal;
    });
    await expect(checked(sending)).rejects.toBe(refusal);
  });

  it('wraps what a checked adapter wraps, so a config sent again is checked once, by the current check', async () => {
    const stale = jest.fn();
    const current = jest.fn();
    const refusal = await checkedAdapter(
      checkedAdapter('fetch', stale),
      current,
    )(sending).catch((error: unknown) => error);
    // Unwrapped, the adapter is fetch itself: refused before either check ran.
    expect(refusal).toMatchObject({ errorCode: 'FETCH_ADAPTER_REFUSED' });
    expect(current).not.toHaveBeenCalled();
    expect(stale).not.toHaveBeenCalled();
  });
});
