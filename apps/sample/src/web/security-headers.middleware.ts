import type { ServerResponse } from 'node:http';
import type { NextFunction, Request, Response } from 'express';

/**
 * The demo page's policy: scripts, styles and requests from this origin only, and no inline
 * script at all, so an injected `<script>` or `on*=` attribute cannot run.
 */
export const DEMO_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Swagger UI ships an inline stylesheet and data: icons; its scripts are files, so script-src stays strict. */
export const DOCS_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self' 'unsafe-inline'",
  "img-src 'self' data:",
  "connect-src 'self'",
  "form-action 'self'",
  "base-uri 'none'",
  "frame-ancestors 'none'",
].join('; ');

/** Paths of the static demo page; everything else is the API (or the docs). */
export const STATIC_PATHS = new Set(['/', '/index.html', '/demo.js', '/demo.css', '/favicon.svg']);

/**
 * The headers of an API answer: a strict CSP, no MIME sniffing, no referrer beyond the origin,
 * and no caching (it may be a customer's data). The metrics listener sends them too.
 */
export function setApiSecurityHeaders(res: ServerResponse): void {
  res.setHeader('Content-Security-Policy', DEMO_CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cache-Control', 'no-store');
}

/**
 * Headers for every answer: those of the API, with Swagger UI's looser CSP under `/docs`; the
 * static page may be cached but is revalidated each time.
 */
export function securityHeaders(req: Request, res: Response, next: NextFunction): void {
  setApiSecurityHeaders(res);
  const docs = req.path === '/docs' || req.path.startsWith('/docs/') || req.path === '/docs-json';
  if (docs) res.setHeader('Content-Security-Policy', DOCS_CONTENT_SECURITY_POLICY);
  if (STATIC_PATHS.has(req.path)) res.setHeader('Cache-Control', 'no-cache');
  next();
}
