import { Hono } from 'hono';
import type { ServeContext } from '../serve-context.js';

/** Liveness (/healthz: process up, database readable, ingest thread state) and readiness (/readyz: first poll cycle done). */
export function healthRoutes(ctx: ServeContext): Hono {
  const app = new Hono();
  app.get('/healthz', (c) => {
    let database = 'ok';
    try {
      ctx.store.ping();
    } catch (err) {
      database = `error: ${(err as Error).message}`;
    }
    // A crashed ingest thread is restarted on its own and serving goes on: shown here, but still healthy.
    const healthy = database === 'ok';
    const { ingest } = ctx.pollStatus();
    return c.json({ status: healthy ? 'ok' : 'error', version: ctx.version, database, ingest, uptimeSeconds: Math.round(process.uptime()) }, healthy ? 200 : 503);
  });
  app.get('/readyz', (c) => {
    const { completedCycles } = ctx.pollStatus();
    const ready = completedCycles > 0;
    return c.json({ status: ready ? 'ready' : 'starting', completedCycles }, ready ? 200 : 503);
  });
  return app;
}
