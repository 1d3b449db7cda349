import { Hono } from 'hono';
import { adminOnly } from '../admin-auth.js';
import { boundedBody } from '../bounded-body.js';
import { BadRequestError, NotFoundError } from '../http-errors.js';
import type { ServeContext } from '../serve-context.js';

/** Largest subscription request read: four form fields, a topic and a callback URL. */
const MAX_FORM_BYTES = 16 * 1024;

/**
 * Push routes: POST /websub (the WebSub hub of the topic feeds), and for the admin GET /api/websub
 * (subscriptions and their state) and GET /api/alerts (configured alerts and recent deliveries).
 */
export function pushRoutes(ctx: ServeContext): Hono {
  const app = new Hono();
  const admin = adminOnly(ctx.adminToken);

  app.post('/websub', async (c) => {
    const push = ctx.push;
    if (!push?.websubEnabled) throw new NotFoundError('this server is not a WebSub hub (websub.enabled is false)');
    const type = (c.req.header('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/x-www-form-urlencoded') throw new BadRequestError('a subscription request is form-encoded: Content-Type: application/x-www-form-urlencoded');
    const text = (await boundedBody(c.req.raw.body, c.req.header('content-length'), MAX_FORM_BYTES, 'a subscription request')).toString('utf8');
    await push.hub.request(new URLSearchParams(text));
    return c.text('Accepted: the hub will verify the intent with a GET to hub.callback.\n', 202);
  });
  app.get('/websub', () => {
    throw new BadRequestError('POST a form-encoded subscription request (hub.mode, hub.topic, hub.callback) to this URL');
  });

  // newsmerge's callbacks at outlets' hubs: the hub's verification (GET) and its pushes (POST).
  app.get('/websub/callback/:feed/:token', (c) => {
    const outlets = ctx.push?.outlets;
    if (!outlets) throw new NotFoundError('push is not running');
    const answer = outlets.verify(Number(c.req.param('feed')), c.req.param('token'), new URL(c.req.url).searchParams);
    return c.text(answer.body, answer.status as 200);
  });
  app.post('/websub/callback/:feed/:token', async (c) => {
    const outlets = ctx.push?.outlets;
    if (!outlets) throw new NotFoundError('push is not running');
    const body = await boundedBody(c.req.raw.body, c.req.header('content-length'), ctx.config().maxFeedBytes, 'the pushed document (maxFeedBytes)');
    const answer = outlets.receive(Number(c.req.param('feed')), c.req.param('token'), c.req.header('x-hub-signature'), body, c.req.header('content-type') ?? null);
    return c.text(answer.body, answer.status as 200);
  });

  app.get('/api/websub', admin, (c) => {
    const push = ctx.push;
    if (!push) throw new NotFoundError('push is not running');
    return c.json({ hub: push.websubEnabled ? push.hub.url : null, subscriptions: push.subscriptions(), deliveries: push.websubDeliveries(100) });
  });

  app.get('/api/alerts', admin, (c) => {
    const push = ctx.push;
    if (!push) throw new NotFoundError('push is not running');
    return c.json(push.alertDeliveries(100));
  });
  return app;
}
