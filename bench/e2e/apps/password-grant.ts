import axios from 'axios';
import { CUSTOMER, V2_TOKEN_PATH, v2TokenHeaders } from './candescent-credentials';

/** A V2 password-grant token set for the demo customer (or `customer`), as the token service returned it. */
export async function passwordGrantTokenSet(
  gatewayUrl: string,
  customer: { username: string; password: string } = CUSTOMER,
): Promise<Record<string, unknown>> {
  const form = new URLSearchParams({
    grant_type: 'password',
    username: customer.username,
    password: customer.password,
  });
  const { data } = await axios.post<Record<string, unknown>>(`${gatewayUrl}${V2_TOKEN_PATH}`, form.toString(), {
    headers: v2TokenHeaders(),
  });
  return data;
}
