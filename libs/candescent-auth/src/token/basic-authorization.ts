/** The `Authorization` value of HTTP Basic auth: `Basic base64(consumerKey:consumerSecret)`. */
export function basicAuthorization(consumerKey: string, consumerSecret: string): string {
  return `Basic ${Buffer.from(`${consumerKey}:${consumerSecret}`).toString('base64')}`;
}
