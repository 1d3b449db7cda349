import { createHash } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { outletName } from '../../config/outlet-profiles.js';
import { redactUrl } from '../../config/redact-url.js';
import { outletDirectory } from '../coverage.js';
import { etagFor, matchesEtag } from '../feed-cache.js';
import { feedLinks } from '../links.js';
import { escapeMarkup as xml } from '../markup.js';
import type { ServeContext } from '../serve-context.js';
import { blindspotLinks } from './blindspots.js';

const OPML_TYPE = 'text/x-opml; charset=utf-8';

function opmlDocument(title: string, outlines: string[]): string {
  return `<?xml version="1.0" encoding="UTF-8"?>
<opml version="2.0">
  <head>
    <title>${xml(title)}</title>
    <docs>http://opml.org/spec2.opml</docs>
  </head>
  <body>
${outlines.map((o) => `    ${o}`).join('\n')}
  </body>
</opml>
`;
}

/** An OPML document with a strong ETag of its bytes; a client holding it gets a 304. */
function opmlResponse(c: Context, document: string, cacheControl: string, vary?: string): Response {
  // The feeds' weak If-None-Match comparison: on-the-fly gzip turns the tag into W/"…".
  const tag = { etag: createHash('sha256').update(document).digest('base64url').slice(0, 27) };
  const etag = etagFor(tag, 'identity');
  const headers: Record<string, string> = { ETag: etag, 'Cache-Control': cacheControl, ...(vary ? { Vary: vary } : {}) };
  if (matchesEtag(c.req.header('if-none-match'), tag, 'identity')) return c.body(null, 304, headers);
  return c.body(document, 200, { ...headers, 'Content-Type': OPML_TYPE });
}

/**
 * The outlet and its profile as outline attributes (OPML 2.0 allows any): outlet, country, language, lean,
 * owner, labels (comma-separated). opml:import reads them back into the config.
 */
function profileAttributes(ctx: ServeContext, outlet: string): string {
  const p = ctx.config().outlets[outlet];
  const attrs: Array<[string, string | undefined]> = [
    ['outlet', outlet],
    ['country', p?.country],
    ['language', p?.language],
    ['lean', p?.lean],
    ['owner', p?.owner],
    ['labels', p?.labels.length ? p.labels.join(',') : undefined],
  ];
  return attrs.map(([name, value]) => (value ? ` ${name}="${xml(value)}"` : '')).join('');
}

/** OPML 2.0 exports: every topic feed (to import into a reader) and the configured outlets. */
export function opmlRoutes(ctx: ServeContext, isAdmin: (authorization: string | undefined) => boolean): Hono {
  const app = new Hono();

  app.get('/opml', (c) => {
    const topics = ctx.catalog().topics.map((t) => {
      const links = feedLinks(ctx.baseUrl, [t.tag], '');
      return `<outline type="rss" text="${xml(t.title)}" title="${xml(t.title)}" description="${xml(t.description)}" xmlUrl="${xml(links.rss)}" htmlUrl="${xml(links.html)}"/>`;
    });
    const all = feedLinks(ctx.baseUrl, null, '');
    topics.push(`<outline type="rss" text="All topics" title="All topics" xmlUrl="${xml(all.rss)}" htmlUrl="${xml(ctx.baseUrl)}"/>`);
    // Blindspot feeds only mean something once some outlet has a lean; until then they would all stay empty.
    if (outletDirectory(ctx).rated) {
      const feeds = ctx.catalog().topics.flatMap((t) =>
        (['left', 'right'] as const).map((side) => {
          const links = blindspotLinks(ctx.baseUrl, t.tag, side);
          const title = `${t.title}: not covered by the ${side}`;
          return `  <outline type="rss" text="${xml(title)}" title="${xml(title)}" xmlUrl="${xml(links.rss)}" htmlUrl="${xml(links.html)}"/>`;
        }),
      );
      topics.push(`<outline text="Blindspots" title="Blindspots">\n${feeds.map((f) => `    ${f}`).join('\n')}\n    </outline>`);
    }
    return opmlResponse(c, opmlDocument(`${ctx.config().title} topic feeds`, topics), `public, max-age=${ctx.config().cacheMaxAge}`);
  });

  // Feed URLs may carry credentials: they are shown in full only to the admin.
  app.get('/opml/outlets', (c) => {
    const admin = isAdmin(c.req.header('authorization'));
    const outlines = ctx.config().feeds.map((f) => {
      const url = admin ? f.url : redactUrl(f.url);
      return `<outline type="rss" text="${xml(f.title)}" title="${xml(f.title)}" xmlUrl="${xml(url)}" category="${xml(f.tags.join(','))}"${profileAttributes(ctx, outletName(f))}/>`;
    });
    // The admin sees other bytes than everyone else: never stored by a shared cache, always revalidated.
    return opmlResponse(c, opmlDocument(`${ctx.config().title} outlets`, outlines), 'private, no-cache', 'Authorization');
  });

  return app;
}
