import { Hono } from 'hono';
import { outletName } from '../../config/outlet-profiles.js';
import { redactUrl } from '../../config/redact-url.js';
import type { StoredCorrection } from '../../store/corrections.js';
import { bearerMatches } from '../admin-auth.js';
import { outletDirectory } from '../coverage.js';
import { parseListQuery, parseTagParam } from '../feed-query.js';
import { feedStatuses } from '../feed-status.js';
import { NotFoundError } from '../http-errors.js';
import { isoTime } from '../iso-time.js';
import { storyTopics } from '../item-topic-view.js';
import { feedLinks, storyIdParam, storyPageUrl } from '../links.js';
import { relatedJson } from '../render-feed.js';
import type { ServeContext } from '../serve-context.js';
import { storyPage, storyViews } from '../story-listing.js';
import type { StoryView } from '../story-view.js';

function parseJson(text: string | null): unknown {
  return text ? JSON.parse(text) : null;
}

/** A story as the API shows it; `withItems` adds every member item. */
export function storyJson(view: StoryView, baseUrl: string, withItems: boolean): Record<string, unknown> {
  return {
    id: view.id,
    guid: view.guid,
    url: storyPageUrl(baseUrl, view.id),
    title: view.title,
    summary: view.summary,
    articleUrl: view.articleUrl,
    author: view.author,
    published: view.published.toISOString(),
    updated: view.updated.toISOString(),
    sourceCount: view.sourceCount,
    itemCount: view.itemCount,
    sources: view.sources,
    categories: view.categories,
    image: view.image,
    enclosure: view.enclosure,
    related: relatedJson(view, baseUrl),
    coverage: view.coverage,
    ...(withItems
      ? {
          items: view.members.map((m) => ({
            id: m.id,
            outlet: m.outlet,
            title: m.title,
            summary: m.summary,
            content: m.content,
            link: m.link,
            author: m.author,
            published: isoTime(m.publishedAt),
            publishedGiven: m.hasDate === 1,
            updated: isoTime(m.updatedAt),
            firstSeen: isoTime(m.firstSeenAt),
            categories: parseJson(m.categories),
            enclosure: parseJson(m.enclosure),
            image: m.image,
          })),
        }
      : {}),
  };
}

/** A curator's correction as the API shows it (items: those still stored). */
function correctionJson(c: StoredCorrection): Record<string, unknown> {
  const at = new Date(c.at).toISOString();
  if (c.kind === 'merge') return { kind: c.kind, at, story: c.storyId, into: c.otherId };
  if (c.kind === 'split') return { kind: c.kind, at, story: c.storyId, newStory: c.otherId, items: c.sides[1] };
  return { kind: c.kind, at, story: c.storyId, from: c.otherId };
}

/** The JSON API: topics, stories (cursor-paginated), one story with its items, feeds and their polling state. */
export function apiRoutes(ctx: ServeContext): Hono {
  const app = new Hono();

  app.get('/topics', (c) => {
    const catalog = ctx.catalog();
    const topics = catalog.topics.map((t) => ({
      tag: t.tag,
      title: t.title,
      description: t.description,
      feeds: feedLinks(ctx.baseUrl, [t.tag], ''),
      outlets: [...new Set(ctx.config().feeds.filter((f) => f.tags.includes(t.tag)).map(outletName))],
    }));
    return c.json({ topics });
  });

  app.get('/stories', (c) => {
    const params = new URL(c.req.url).searchParams;
    const query = parseListQuery(params);
    const tags = parseTagParam(params, (tag) => ctx.catalog().topic(tag) !== undefined);
    const selection = ctx.catalog().select(tags, query);
    const page = storyPage(ctx.store, selection, query, outletDirectory(ctx));
    return c.json({ stories: page.stories.map((s) => storyJson(s, ctx.baseUrl, false)), nextCursor: page.nextCursor });
  });

  app.get('/stories/:id', (c) => {
    const id = storyIdParam(c.req.param('id'));
    const story = ctx.store.queries.byId(id);
    if (!story) throw new NotFoundError(`No story ${id}`);
    if (story.mergedInto !== null) {
      const survivor = ctx.store.stories.resolve(id);
      return c.redirect(`${ctx.baseUrl}api/stories/${survivor}`, 301);
    }
    const [view] = storyViews(ctx.store, [story], outletDirectory(ctx));
    const json = storyJson(view!, ctx.baseUrl, true);
    // Which topics the story is in, and per item which evidence put it in each (docs/topics.md).
    const topics = storyTopics(ctx.config().feeds, ctx.catalog().topics.map((t) => t.tag), view!.members, ctx.store.topics.forItems(view!.members.map((m) => m.id)));
    const items = (json.items as Array<Record<string, unknown>>).map((item, i) => ({ ...item, topics: topics.byItem.get(view!.members[i]!.id) ?? [] }));
    return c.json({ ...json, topics: topics.tags, items, corrections: ctx.store.corrections.forStory(id).map(correctionJson) });
  });

  app.get('/feeds', (c) => {
    // Feed URLs may carry credentials or API keys: shown in full only with the admin token.
    const shown = bearerMatches(ctx.adminToken, c.req.header('authorization')) ? (url: string) => url : redactUrl;
    const feeds = feedStatuses(ctx, shown);
    return c.json({ ingest: ctx.pollStatus().ingest, feeds });
  });

  return app;
}
