import axios, { type InternalAxiosRequestConfig } from 'axios';
import fc from 'fast-check';
import { requestDestination } from './request-destination';

/** A config as axios hands it to a request interceptor (merged, `allowAbsoluteUrls` settled). */
function requestConfig(fields: Partial<InternalAxiosRequestConfig>): InternalAxiosRequestConfig {
  return { headers: new axios.AxiosHeaders(), allowAbsoluteUrls: true, ...fields } as InternalAxiosRequestConfig;
}

function fromAxios(instance: ReturnType<typeof axios.create>, config: InternalAxiosRequestConfig): string | undefined {
  try {
    return new URL(
      instance.getUri({
        baseURL: config.baseURL ?? '',
        url: config.url,
        allowAbsoluteUrls: config.allowAbsoluteUrls,
        params: config.params as unknown,
      }),
    ).href;
  } catch {
    return undefined;
  }
}

describe('requestDestination', () => {
  const instance = axios.create();
  const fragment = fc.constantFrom('', '/', '//', 'a', 'b/', '?q=1', '#x', '..', '%2F', '@evil.example', ':81');
  const absolute = fc.constantFrom('http://127.0.0.1:1', 'https://bank.example', '//other.example', 'http:/x');
  const part = fc.oneof(fragment, absolute, fc.string({ maxLength: 6 }));
  const joined = fc.array(part, { maxLength: 3 }).map((parts) => parts.join(''));

  it('answers as getUri does, the first time and every later time for the same input', () => {
    fc.assert(
      fc.property(joined, joined, fc.boolean(), (baseURL, url, allowAbsoluteUrls) => {
        const config = requestConfig({ baseURL, url, allowAbsoluteUrls });
        const expected = fromAxios(instance, config);
        expect(requestDestination(instance, config)?.href).toBe(expected);
        expect(requestDestination(instance, config)?.href).toBe(expected);
      }),
      { numRuns: 2_000 },
    );
  });

  it('asks getUri again when query parameters can change the answer', () => {
    const config = requestConfig({ baseURL: 'http://127.0.0.1:9', url: '/a' });
    expect(requestDestination(instance, config)?.href).toBe('http://127.0.0.1:9/a');
    const withDefaults = axios.create({ params: { page: 2 } });
    expect(requestDestination(withDefaults, config)?.href).toBe('http://127.0.0.1:9/a?page=2');
    expect(requestDestination(instance, { ...config, params: { q: 'x' } })?.href).toBe('http://127.0.0.1:9/a?q=x');
    expect(requestDestination(instance, config)?.href).toBe('http://127.0.0.1:9/a');
  });

  it('gives answers that cannot be changed by whoever reads them', () => {
    const config = requestConfig({ baseURL: 'http://127.0.0.1:9', url: '/frozen' });
    const answer = requestDestination(instance, config);
    expect(Object.isFrozen(answer)).toBe(true);
    expect(() => {
      (answer as { origin: string }).origin = 'http://evil.example';
    }).toThrow(TypeError);
  });
});
