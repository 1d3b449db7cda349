import { Hono, type Context } from 'hono';
import { html } from 'hono/html';
import { redactUrl } from '../../config/redact-url.js';
import { coverageSearchParams, outletDirectory } from '../coverage.js';
import { coverageBar, outletBadges, spreadLine } from '../coverage-html.js';
import { FEED_FORMATS, parseListQuery } from '../feed-query.js';
import { feedHealth, feedStatuses, healthInputs, type FeedHealth, type FeedStatus } from '../feed-status.js';
import { displayTime, FORMAT_LABELS, layout, storyItem, subscribeLinks, type Alternate, type Html } from '../html-layout.js';
import { NotFoundError } from '../http-errors.js';
import { storyTopics } from '../item-topic-view.js';
import { feedLinks, parseTopicPath, storyIdParam, storyPageUrl } from '../links.js';
import type { ServeContext } from '../serve-context.js';
import { storyPage, storyViews } from '../story-listing.js';

const HOME_STORIES_PER_TOPIC = 5;

function alternatesFor(links: ReturnType<typeof feedLinks>, title: string): Alternate[] {
  return FEED_FORMATS.map((format) => ({ format, href: links[format], title: `${title} (${FORMAT_LABELS[format]})` }));
}

function when(iso: string | null): Html | string {
  return iso ? html`<time datetime="${iso}">${displayTime(new Date(iso))}</time>` : '';
}

/**
 * What the home page says when feeds fail: how many, and why (feeds with the same error together), with a
 * link to the status of each. Empty when every feed's last attempt succeeded.
 */
function healthNotice(health: FeedHealth, baseUrl: string, storiesShown: boolean, linkStatus = true): Html | string {
  if (health.failing > 0) {
    return html`<div class="notice feed-health" role="status">
<p><strong>${health.failing} of ${health.total} ${health.total === 1 ? 'feed' : 'feeds'}</strong> failed on their last fetch:</p>
<ul>${health.errors.map((e) => html`<li><span class="failing">${e.error}</span>${e.count > 1 ? html` (${e.count} feeds)` : ''}</li>`)}</ul>
${linkStatus ? html`<p><a href="${baseUrl}feeds">Status of each feed</a></p>` : ''}
</div>`;
  }
  if (!storiesShown && health.unfetched > 0) {
    return html`<div class="notice feed-health" role="status"><p>${health.unfetched} of ${health.total} feeds have not been fetched yet; stories appear here as they arrive. <a href="${baseUrl}feeds">Status of each feed</a></p></div>`;
  }
  return '';
}

/** One row of the /feeds page: the feed, its topics, its last attempt, its next fetch and how many items it brought. */
function feedRow(f: FeedStatus, baseUrl: string, topicTitle: (tag: string) => string): Html {
  const last = f.lastError
    ? html`<span class="failing">${f.lastError}</span>${f.failingSince ? html`<br><span class="meta">failing since ${when(f.failingSince)}, ${f.errorCount} ${f.errorCount === 1 ? 'attempt' : 'attempts'}</span>` : ''}`
    : f.lastFetchedAt
      ? html`OK${f.lastStatus ? ` (HTTP ${f.lastStatus})` : ''} · ${when(f.lastFetchedAt)}${f.lastWarning ? html`<br><span class="meta">${f.lastWarning}</span>` : ''}`
      : html`<span class="meta">not fetched yet</span>`;
  return html`<tr>
<td><strong>${f.title}</strong>${f.outlet !== f.title ? html`<br><span class="meta">${f.outlet}</span>` : ''}</td>
<td>${f.tags.map((t) => html`<a class="badge" href="${baseUrl}topics/${t}">${topicTitle(t)}</a>`)}</td>
<td class="last">${last}</td>
<td>${f.disabledReason ? html`<span class="meta">not polled: ${f.disabledReason}</span>` : when(f.nextFetchAt)}</td>
<td>${f.itemCount}</td>
</tr>`;
}

/** Server-rendered HTML pages: home, topic, all topics, story, feed status. Every page advertises its feeds for autodiscovery. */
export function pageRoutes(ctx: ServeContext): Hono {
  const app = new Hono();
  const page = (title: string, alternates: Alternate[], body: Html) =>
    layout({ title, siteName: ctx.config().title, baseUrl: ctx.baseUrl, topics: ctx.catalog().topics, alternates, body });
  const topicTitle = (tag: string) => ctx.catalog().topic(tag)?.title ?? tag;

  /** A topic page (`tags`) or the page of every topic (null): stories, search, paging, subscribe links. */
  const listing = (c: Context, tags: string[] | null) => {
    const params = new URL(c.req.url).searchParams;
    const query = parseListQuery(params);
    const selection = ctx.catalog().select(tags, query);
    const outlets = outletDirectory(ctx);
    const result = storyPage(ctx.store, selection, query, outlets);
    const feedParams = new URLSearchParams(params);
    feedParams.delete('cursor');
    const links = feedLinks(ctx.baseUrl, tags ? selection.tags : null, feedParams.toString());
    const heading = tags ? selection.tags.map((t) => topicTitle(t)).join(' + ') : 'All topics';
    const action = tags ? links.html.split('?')[0] : `${ctx.baseUrl}all`;
    const next = new URLSearchParams(params);
    if (result.nextCursor) next.set('cursor', result.nextCursor);
    return c.html(
      page(
        `${heading} · ${ctx.config().title}`,
        alternatesFor(links, heading),
        html`<h1>${heading}</h1>
<p class="meta">${selection.description} ${subscribeLinks(links)}</p>
<form class="search" method="get" action="${action}">
<input type="search" name="q" value="${query.q ?? ''}" placeholder="Search ${heading}" aria-label="Search">
${coverageSearchParams(query.coverage).map(([name, value]) => html`<input type="hidden" name="${name}" value="${value}">`)}
<button type="submit">Search</button>
</form>
${result.stories.length ? result.stories.map((s) => storyItem(s, ctx.baseUrl, true, outlets.rated)) : html`<p>No stories match.</p>`}
${result.nextCursor ? html`<p><a rel="next" href="?${next.toString()}">Older stories</a></p>` : ''}`,
      ),
    );
  };

  app.get('/', (c) => {
    const catalog = ctx.catalog();
    const base = ctx.baseUrl;
    const outlets = outletDirectory(ctx);
    let shown = 0;
    const sections = catalog.topics.map((topic) => {
      const query = parseListQuery(new URLSearchParams({ limit: String(HOME_STORIES_PER_TOPIC) }));
      const { stories } = storyPage(ctx.store, catalog.select([topic.tag], query), query, outlets);
      const links = feedLinks(base, [topic.tag], '');
      shown += stories.length;
      return html`<section class="topic">
<h2><a href="${links.html}">${topic.title}</a></h2>
<p class="meta">${topic.description} ${subscribeLinks(links)}</p>
${stories.length ? stories.map((s) => storyItem(s, base, false, outlets.rated)) : html`<p class="meta">No stories yet.</p>`}
</section>`;
    });
    const all = feedLinks(base, null, '');
    const alternates = [...alternatesFor(all, `${ctx.config().title}: all topics`), ...catalog.topics.flatMap((t) => alternatesFor(feedLinks(base, [t.tag], ''), t.title))];
    return c.html(
      page(
        ctx.config().title,
        alternates,
        html`<h1>${ctx.config().title}</h1>
<p>The same story from many outlets, merged into one entry. Subscribe to a topic in your feed reader, or to <a href="${base}all">everything</a>: ${subscribeLinks(all)} · <a href="${base}opml">OPML</a></p>
${healthNotice(feedHealth(healthInputs(ctx)), base, shown > 0)}
${sections}`,
      ),
    );
  });

  app.get('/topics/:tags', (c) => {
    const tags = parseTopicPath(c.req.param('tags'));
    if (!tags) throw new NotFoundError(`No topic page "${c.req.param('tags').slice(0, 80)}"`);
    return listing(c, tags);
  });

  app.get('/all', (c) => listing(c, null));

  app.get('/feeds', (c) => {
    // A page anyone can open: feed URLs may carry credentials, so they stay out of it.
    const statuses = feedStatuses(ctx, redactUrl);
    const health = feedHealth(statuses);
    return c.html(
      page(
        `Feed status · ${ctx.config().title}`,
        [],
        html`<h1>Feed status</h1>
<p class="meta">${health.total} ${health.total === 1 ? 'feed' : 'feeds'}, ${health.failing} failing${health.unfetched ? `, ${health.unfetched} not fetched yet` : ''}. The same data as JSON: <a href="${ctx.baseUrl}api/feeds">/api/feeds</a></p>
${healthNotice(health, ctx.baseUrl, true, false)}
<div class="scroll"><table class="feeds">
<thead><tr><th scope="col">Feed</th><th scope="col">Topics</th><th scope="col">Last fetch</th><th scope="col">Next fetch</th><th scope="col">Items</th></tr></thead>
<tbody>${statuses.map((f) => feedRow(f, ctx.baseUrl, topicTitle))}</tbody>
</table></div>`,
      ),
    );
  });

  app.get('/stories/:id', (c) => {
    const id = storyIdParam(c.req.param('id'));
    const story = ctx.store.queries.byId(id);
    if (!story) throw new NotFoundError(`No story ${id}`);
    if (story.mergedInto !== null) return c.redirect(`${ctx.baseUrl}stories/${ctx.store.stories.resolve(id)}`, 301);
    const directory = outletDirectory(ctx);
    const [view] = storyViews(ctx.store, [story], directory);
    const v = view!;
    const all = feedLinks(ctx.baseUrl, null, '');
    const outlets = v.sourceCount === 1 ? '1 outlet' : `${v.sourceCount} outlets`;
    // The way back: the topics this story is in (those its items are in: docs/topics.md), in the config's topic order.
    const storyTags = new Set(storyTopics(ctx.config().feeds, ctx.catalog().topics.map((t) => t.tag), v.members, ctx.store.topics.forItems(v.members.map((m) => m.id))).tags);
    const topics = ctx.catalog().topics.filter((t) => storyTags.has(t.tag));
    return c.html(
      page(
        `${v.title} · ${ctx.config().title}`,
        [...topics.flatMap((t) => alternatesFor(feedLinks(ctx.baseUrl, [t.tag], ''), t.title)), ...alternatesFor(all, `${ctx.config().title}: all topics`)],
        html`<nav class="topics story-topics" aria-label="Topics of this story">${topics.length ? 'In ' : ''}${topics.map((t) => html`<a href="${ctx.baseUrl}topics/${t.tag}">${t.title}</a>`)}<a href="${ctx.baseUrl}all">All topics</a></nav>
<h1>${v.title}</h1>
<p class="meta"><span class="count">Covered by ${outlets}</span> · first reported <time datetime="${v.published.toISOString()}">${displayTime(v.published)}</time></p>
${v.summary ? html`<p>${v.summary}</p>` : ''}
<section class="who-covers" aria-label="Who covers it">
${directory.rated ? coverageBar(v.coverage) : ''}
${spreadLine(v.coverage)}
${outletBadges(v.sources, (name) => directory.profile(name)?.owner)}
</section>
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
  : ''}
<section class="follow" aria-label="Subscribe">
<h2>Follow this coverage</h2>
${topics.map((t) => html`<p class="meta">${t.title}: ${subscribeLinks(feedLinks(ctx.baseUrl, [t.tag], ''))}</p>`)}
<p class="meta">All topics: ${subscribeLinks(all)}</p>
</section>`,
      ),
    );
  });

  return app;
}
