import { Hono } from 'hono';
import { html } from 'hono/html';
import { SIDES, type Side } from '../../config/outlet-profiles.js';
import { NO_COVERAGE_QUERY, outletDirectory } from '../coverage.js';
import { parseListQuery, type ListQuery } from '../feed-query.js';
import { FORMAT_LABELS, layout, storyItem, subscribeLinks, type Alternate } from '../html-layout.js';
import { feedLinks } from '../links.js';
import type { ServeContext } from '../serve-context.js';
import { storyPage } from '../story-listing.js';

/** Stories shown per topic and side; the topic page with ?blindspot= lists them all. */
const PER_SIDE = 5;

const SIDE_NAMES = Object.keys(SIDES) as Side[];

/** The listing query of one side's blindspot in a topic: the default listing plus blindspot=<side>. */
function blindspotQuery(side: Side): ListQuery {
  const query = parseListQuery(new URLSearchParams({ limit: String(PER_SIDE) }));
  return { ...query, coverage: { ...NO_COVERAGE_QUERY, blindspot: side } };
}

/** The feeds of a topic's blindspot on one side (/topics/<tag>.rss?blindspot=left …), for pages and OPML. */
export function blindspotLinks(baseUrl: string, tag: string, side: Side): ReturnType<typeof feedLinks> {
  return feedLinks(baseUrl, [tag], `blindspot=${side}`);
}

/**
 * /blindspots: per topic, the stories each side is not covering (two or more outlets, at least one rated,
 * none of that side), with subscribe links to the matching feeds.
 */
export function blindspotRoutes(ctx: ServeContext): Hono {
  const app = new Hono();
  app.get('/blindspots', (c) => {
    const base = ctx.baseUrl;
    const siteName = ctx.config().title;
    const catalog = ctx.catalog();
    const outlets = outletDirectory(ctx);
    const alternates: Alternate[] = [];
    const sections = outlets.rated
      ? catalog.topics.map((topic) => {
          const columns = SIDE_NAMES.map((side) => {
            const query = blindspotQuery(side);
            const { stories, nextCursor } = storyPage(ctx.store, catalog.select([topic.tag], query), query, outlets);
            const links = blindspotLinks(base, topic.tag, side);
            alternates.push({ format: 'rss', href: links.rss, title: `${topic.title}: not covered by the ${side} (${FORMAT_LABELS.rss})` });
            return html`<div class="blindspot" data-side="${side}">
<h3>Not covered by the ${side}</h3>
<p class="meta">${subscribeLinks(links)}</p>
${stories.length ? stories.map((s) => storyItem(s, base, false, true)) : html`<p class="meta">None: the ${side} covers every story of ${topic.title} that has two or more outlets.</p>`}
${nextCursor ? html`<p><a href="${links.html}">All of them</a></p>` : ''}
</div>`;
          });
          return html`<section class="topic" data-topic="${topic.tag}">
<h2><a href="${feedLinks(base, [topic.tag], '').html}">${topic.title}</a></h2>
${columns}
</section>`;
        })
      : html`<p class="notice" role="status">No outlet has a lean yet, so no side has a blindspot. Give outlets a <code>lean</code> (left, lean-left, center, lean-right or right) under <code>outlets</code> in feeds.config.json and reload.</p>`;
    return c.html(
      layout({
        title: `Blindspots · ${siteName}`,
        siteName,
        baseUrl: base,
        topics: catalog.topics,
        alternates,
        body: html`<h1>Blindspots</h1>
<p>Stories one side is not covering: reported by two or more outlets, at least one of them rated, and none from that side (left is left and lean-left; right is right and lean-right). Leans come from the outlet profiles of this server's config.</p>
${sections}`,
      }),
    );
  });
  return app;
}
