import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { CorrectionOutcome, CorrectionRequest } from '../../cluster/corrections.js';
import { ConfigError } from '../../config/load-config.js';
import { adminOnly } from '../admin-auth.js';
import { boundedBody } from '../bounded-body.js';
import { BadRequestError, NotFoundError, UnavailableError } from '../http-errors.js';
import { storyIdParam, storyPageUrl } from '../links.js';
import type { ServeContext } from '../serve-context.js';

const storyId = z.int().positive().max(Number.MAX_SAFE_INTEGER);
/** Bodies of the correction routes; an unknown field is a mistake worth naming. */
const CORRECTION_BODIES = {
  merge: z.strictObject({ into: storyId }),
  split: z.strictObject({ items: z.array(storyId).min(1, 'items must name at least one item').max(10_000) }),
  apart: z.strictObject({ from: storyId }),
};
/** Largest correction body read (10,000 item ids fit). */
const MAX_BODY_BYTES = 200_000;

/** Reads a JSON body against a schema; a 400 naming the field otherwise. */
async function readBody<T>(c: Context, schema: z.ZodType<T>): Promise<T> {
  const text = (await boundedBody(c.req.raw.body, c.req.header('content-length'), MAX_BODY_BYTES, 'the body')).toString('utf8');
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new BadRequestError('the body must be a JSON object, e.g. {"into": 12}');
  }
  const parsed = schema.safeParse(json);
  if (!parsed.success) {
    const issue = parsed.error.issues[0]!;
    const field = issue.path.length > 0 ? issue.path.join('.') : issue.code === 'unrecognized_keys' ? issue.keys.join(', ') : 'body';
    throw new BadRequestError(`${field}: ${issue.message}`);
  }
  return parsed.data;
}

/** Maps how a correction ended to the answer: 200 with the story to look at, or the error naming the field. */
function answer(ctx: ServeContext, outcome: CorrectionOutcome): { correction: number; story: number; url: string } {
  if (outcome.status === 'interrupted') throw new UnavailableError(`the correction was not made: ${outcome.reason}; try again shortly`);
  if (outcome.status === 'rejected') throw outcome.missing ? new NotFoundError(`${outcome.field}: ${outcome.message}`) : new BadRequestError(`${outcome.field}: ${outcome.message}`);
  return { correction: outcome.result.correctionId, story: outcome.result.storyId, url: storyPageUrl(ctx.baseUrl, outcome.result.storyId) };
}

/**
 * The admin API, mounted under /api: POST /poll, POST /feeds/refresh?url=, POST /reload, and a curator's
 * corrections POST /stories/:id/merge|split|apart. Without a configured token these routes do not exist
 * (404); with one, a missing or wrong bearer is a 401.
 */
export function adminRoutes(ctx: ServeContext): Hono {
  const app = new Hono();
  const admin = adminOnly(ctx.adminToken);

  app.post('/poll', admin, (c) => {
    const { alreadyRunning } = ctx.admin.pollAll();
    const feeds = ctx.config().feeds.filter((f) => f.enabled).length;
    return c.json({ status: 'accepted', feeds, queuedAfterRunningCycle: alreadyRunning }, 202);
  });

  app.post('/feeds/refresh', admin, async (c) => {
    const url = c.req.query('url');
    if (!url) throw new BadRequestError('url is required: the feed URL as written in the config');
    if (!ctx.config().feeds.some((f) => f.url === url)) throw new NotFoundError(`${url.slice(0, 200)} is not a configured feed`);
    const { interrupted } = await ctx.admin.refresh(url);
    if (interrupted) throw new UnavailableError(`${url.slice(0, 200)} was not polled: ${interrupted}; try again shortly`);
    const state = ctx.store.feeds.byUrl(url)!;
    return c.json({
      status: 'polled',
      url,
      lastFetchedAt: state.lastFetchedAt === null ? null : new Date(state.lastFetchedAt).toISOString(),
      lastStatus: state.lastStatus,
      lastError: state.lastError,
      lastWarning: state.lastWarning,
      nextFetchAt: state.nextFetchAt === null ? null : new Date(state.nextFetchAt).toISOString(),
    });
  });

  app.post('/reload', admin, (c) => {
    try {
      const config = ctx.admin.reload();
      return c.json({ status: 'reloaded', feeds: config.feeds.length, topics: Object.keys(config.topics).length });
    } catch (err) {
      if (err instanceof ConfigError) throw new BadRequestError(`${err.message}\nThe running config is kept.`);
      throw err;
    }
  });

  const correct = async (c: Context, request: CorrectionRequest, status: string) => {
    const result = answer(ctx, await ctx.admin.correct(request));
    return c.json({ status, ...result }, request.kind === 'split' ? 201 : 200);
  };
  app.post('/stories/:id/merge', admin, async (c) => {
    const story = storyIdParam(c.req.param('id'));
    const { into } = await readBody(c, CORRECTION_BODIES.merge);
    return correct(c, { kind: 'merge', story, into }, 'merged');
  });
  app.post('/stories/:id/split', admin, async (c) => {
    const story = storyIdParam(c.req.param('id'));
    const { items } = await readBody(c, CORRECTION_BODIES.split);
    return correct(c, { kind: 'split', story, items }, 'split');
  });
  app.post('/stories/:id/apart', admin, async (c) => {
    const story = storyIdParam(c.req.param('id'));
    const { from } = await readBody(c, CORRECTION_BODIES.apart);
    return correct(c, { kind: 'apart', story, from }, 'kept apart');
  });

  return app;
}
