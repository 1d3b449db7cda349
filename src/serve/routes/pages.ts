import { Hono } from 'hono';
import { html } from 'hono/html';
import { FEED_FORMATS, parseListQuery } from '../feed-query.js';
import { displayTime, FORMAT_LABELS, layout, storyItem, subscribeLinks, type Alternate, type Html } from '../html-layout.js';
import { NotFoundError } from '../http-errors.js';
import { feedLinks, storyIdParam, storyPageUrl } from '../links.js';
import type { ServeContext } from '../serve-context.js';
import { storyPage, storyViews } from '../story-listing.js';

const HOME_STORIES_PER_TOPIC = 5;

function alternatesFor(links: ReturnType<typeof feedLinks>, title: string): Alternate[] {
  return FEED_FORMATS.map((format) => ({ format, href: links[format], title: `${title} (${FORMAT_LABELS[format]})` }));
}

/** Server-rendered HTML pages: home, topic, story. Every page advertises its feeds for autodiscovery. */
export function pageRoutes(ctx: ServeContext): Hono {
  const app = new Hono();
  const page = (title: string, alternates: Alternate[], body: Html) =>
    layout({ title, siteName: ctx.config().title, baseUrl: ctx.baseUrl, topics: ctx.catalog().topics, alternates, body });

  app.get('/', (c) => {
    const catalog = ctx.catalog();
    const base = ctx.baseUrl;
    const sections = catalog.topics.map((topic) => {
      const query = parseListQuery(new URLSearchParams({ limit: String(HOME_STORIES_PER_TOPIC) }));
      const { stories } = storyPage(ctx.store, catalog.select([topic.tag], query), query, null);
      const links = feedLinks(base, [topic.tag], '');
      return html`<section class="topic">
<h2><a href="${links.html}">${topic.title}</a></h2>
<p class="meta">${topic.description} ${subscribeLinks(links)}</p>
${stories.length ? stories.map((s) => storyItem(s, base, false)) : html`<p class="meta">No stories yet.</p>`}
</section>`;
    });
    const all = feedLinks(base, null, '');
    const alternates = [...alternatesFor(all, `${ctx.config().title}: all topics`), ...catalog.topics.flatMap((t) => alternatesFor(feedLinks(base, [t.tag], ''), t.title))];
    return c.html(
      page(
        ctx.config().title,
        alternates,
        html`<h1>${ctx.config().title}</h1>
<p>The same story from many outlets, merged into one entry. Subscribe to a topic in your feed reader, or to everything: ${subscribeLinks(all)} · <a href="${base}opml">OPML</a></p>
${sections}`,
      ),
    );
  });

  app.get('/topics/:tags', (c) => {
    const tags = [...new Set(c.req.param('tags').split('+').filter(Boolean))];
    const params = new URL(c.req.url).searchParams;
    const query = parseListQuery(params);
    const selection = ctx.catalog().select(tags, query);
    const result = storyPage(ctx.store, selection, query, params.get('cursor'));
    const feedParams = new URLSearchParams(params);
    feedParams.delete('cursor');
    const links = feedLinks(ctx.baseUrl, selection.tags, feedParams.toString());
    const topicTitle = selection.tags.map((t) => ctx.catalog().topic(t)!.title).join(' + ');
    const next = new URLSearchParams(params);
    if (result.nextCursor) next.set('cursor', result.nextCursor);
    return c.html(
      page(
        `${topicTitle} · ${ctx.config().title}`,
        alternatesFor(links, topicTitle),
        html`<h1>${topicTitle}</h1>
<p class="meta">${selection.description} ${subscribeLinks(links)}</p>
<form class="search" method="get" action="${links.html.split('?')[0]}">
<input type="search" name="q" value="${query.q ?? ''}" placeholder="Search ${topicTitle}" aria-label="Search">
<button type="submit">Search</button>
</form>
${result.stories.length ? result.stories.map((s) => storyItem(s, ctx.baseUrl)) : html`<p>No stories match.</p>`}
${result.nextCursor ? html`<p><a rel="next" href="?${next.toString()}">Older stories</a></p>` : ''}`,
      ),
    );
  });

  app.get('/stories/:id', (c) => {
    const id = storyIdParam(c.req.param('id'));
    const story = ctx.store.queries.byId(id);
    if (!story) throw new NotFoundError(`No story ${id}`);
    if (story.mergedInto !== null) return c.redirect(`${ctx.baseUrl}stories/${ctx.store.stories.resolve(id)}`, 301);
    const [view] = storyViews(ctx.store, [story]);
    const v = view!;
    const all = feedLinks(ctx.baseUrl, null, '');
    const outlets = v.sourceCount === 1 ? '1 outlet' : `${v.sourceCount} outlets`;
    return c.html(
      page(
        `${v.title} · ${ctx.config().title}`,
        alternatesFor(all, `${ctx.config().title}: all topics`),
        html`<h1>${v.title}</h1>
<p class="meta"><span class="count">Covered by ${outlets}</span> · first reported <time datetime="${v.published.toISOString()}">${displayTime(v.published)}</time></p>
${v.summary ? html`<p>${v.summary}</p>` : ''}
<section class="coverage" aria-label="Coverage by outlet">
${v.members.map(
  (m) => html`<article>
<div class="meta">${m.outlet} · <time datetime="${new Date(m.publishedAt).toISOString()}">${displayTime(new Date(m.publishedAt))}</time></div>
<h3>${m.link ? html`<a href="${m.link}" rel="noopener noreferrer">${m.title}</a>` : m.title}</h3>
${m.summary ? html`<p>${m.summary}</p>` : ''}
</article>`,
)}
</section>
${v.related.length
  ? html`<section class="related" aria-label="Related coverage">
<h2>Related coverage</h2>
<ul>${v.related.map((r) => html`<li><a href="${storyPageUrl(ctx.baseUrl, r.id)}">${r.title}</a> <span class="meta">${r.sources.join(', ')}</span></li>`)}</ul>
</section>`
  : ''}`,
      ),
    );
  });

  return app;
}
