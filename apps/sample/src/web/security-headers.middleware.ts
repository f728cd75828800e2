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
export const STATIC_PATHS = new Set(['/', '/index.html', '/demo.js', '/demo.css']);

/**
 * Headers for every answer: a strict CSP, no MIME sniffing, no referrer beyond the origin,
 * and no caching of API answers (they may be a customer's data). The static page may be
 * cached but is revalidated each time.
 */
export function securityHeaders(req: Request, res: Response, next: NextFunction): void {
  const docs = req.path === '/docs' || req.path.startsWith('/docs/') || req.path === '/docs-json';
  res.setHeader('Content-Security-Policy', docs ? DOCS_CONTENT_SECURITY_POLICY : DEMO_CONTENT_SECURITY_POLICY);
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cache-Control', STATIC_PATHS.has(req.path) ? 'no-cache' : 'no-store');
  next();
}
