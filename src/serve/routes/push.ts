import { Hono } from 'hono';
import { adminOnly } from '../admin-auth.js';
import { BadRequestError, HttpError, NotFoundError } from '../http-errors.js';
import type { ServeContext } from '../serve-context.js';

/** Largest subscription request read: four form fields, a topic and a callback URL. */
const MAX_FORM_BYTES = 16 * 1024;

/** A subscription request body past MAX_FORM_BYTES (413). */
export class FormTooLargeError extends HttpError {
  constructor() {
    super(413, `the request body is too large (at most ${MAX_FORM_BYTES} bytes)`);
  }
}

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
    if (Number(c.req.header('content-length') ?? 0) > MAX_FORM_BYTES) throw new FormTooLargeError();
    const text = await c.req.text();
    if (Buffer.byteLength(text) > MAX_FORM_BYTES) throw new FormTooLargeError();
    await push.hub.request(new URLSearchParams(text));
    return c.text('Accepted: the hub will verify the intent with a GET to hub.callback.\n', 202);
  });
  app.get('/websub', () => {
    throw new BadRequestError('POST a form-encoded subscription request (hub.mode, hub.topic, hub.callback) to this URL');
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
