import { Hono } from 'hono';
import { html } from 'hono/html';
import { FEED_FORMATS } from '../feed-query.js';
import type { ServeContext } from '../serve-context.js';

const FORMAT_TYPES = { rss: 'application/rss+xml', atom: 'application/atom+xml', json: 'application/feed+json' } as const;

/** Server-rendered HTML pages. */
export function pageRoutes(ctx: ServeContext): Hono {
  const app = new Hono();
  app.get('/', (c) => {
    const { topics } = ctx.catalog();
    const title = ctx.config().title;
    const base = ctx.baseUrl;
    return c.html(html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
${topics.map((t) => FEED_FORMATS.map((f) => html`<link rel="alternate" type="${FORMAT_TYPES[f]}" title="${t.title} (${f.toUpperCase()})" href="${base}topics/${t.tag}.${f}">\n`))}
</head>
<body>
<h1>${title}</h1>
<ul>
${topics.map((t) => html`<li><strong>${t.title}</strong> ${t.description} — ${FEED_FORMATS.map((f) => html`<a href="${base}topics/${t.tag}.${f}">${f.toUpperCase()}</a> `)}</li>\n`)}
</ul>
</body>
</html>`);
  });
  return app;
}
