import { ServerResponse, IncomingMessage } from 'node:http';
import { Socket } from 'node:net';
import { CandescentConfigurationError } from '../errors/candescent-auth.error';
import { appendSetCookie } from './set-cookie-header';

describe('appendSetCookie', () => {
  it("adds to a plain node response's cookies, keeping one or many set before", () => {
    const response = new ServerResponse(new IncomingMessage(new Socket()));
    appendSetCookie(response, 'a=1');
    expect(response.getHeader('set-cookie')).toEqual(['a=1']);
    response.setHeader('set-cookie', 'theme=dark');
    appendSetCookie(response, 'b=2');
    appendSetCookie(response, 'c=3');
    expect(response.getHeader('set-cookie')).toEqual(['theme=dark', 'b=2', 'c=3']);
  });

  it.each([
    ['undefined', undefined],
    ['a request-shaped object', { headers: {} }],
    ['a string', 'Set-Cookie'],
  ])('refuses %s with an error that says what to pass', (_label, response) => {
    expect(() => {
      appendSetCookie(response, 'a=1');
    }).toThrow(CandescentConfigurationError);
    expect(() => {
      appendSetCookie(response, 'a=1');
    }).toThrow(/@Res\(\{ passthrough: true \}\)/);
  });
});
