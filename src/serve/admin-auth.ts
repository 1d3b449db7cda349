import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { NotFoundError, UnauthorizedError } from './http-errors.js';

/**
 * True when an Authorization header carries the admin bearer token. Both sides are hashed first, so the
 * comparison takes the same time whatever the length or content of the guess.
 */
export function bearerMatches(token: string | null, authorization: string | undefined): boolean {
  if (!token) return false;
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '');
  if (!m) return false;
  const given = createHash('sha256').update(m[1]!).digest();
  const expected = createHash('sha256').update(token).digest();
  return timingSafeEqual(given, expected);
}

/**
 * Guards one admin route: without a configured token the route does not exist (404), with one a missing or
 * wrong bearer is a 401. Used per route, not app.use('*'): a sub-app's wildcard middleware would also guard
 * the public routes mounted beside it.
 */
export function adminOnly(token: string | null): MiddlewareHandler {
  return async (c, next) => {
    if (!token) throw new NotFoundError(`Not found: ${c.req.path}`);
    if (!bearerMatches(token, c.req.header('authorization'))) throw new UnauthorizedError();
    await next();
  };
}
