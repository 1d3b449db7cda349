import { html, raw } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import { COVERAGE_CSS, coverageBar } from './coverage-html.js';
import type { FeedFormatName } from './feed-query.js';
import { storyPageUrl } from './links.js';
import type { StoryView } from './story-view.js';

/** A page fragment: what hono/html templates produce. */
export type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** A feed that a page advertises for autodiscovery. */
export interface Alternate {
  title: string;
  href: string;
  format: FeedFormatName;
}

const MEDIA_TYPES: Record<FeedFormatName, string> = { rss: 'application/rss+xml', atom: 'application/atom+xml', json: 'application/feed+json' };

/** How the formats are named to people. */
export const FORMAT_LABELS: Record<FeedFormatName, string> = { rss: 'RSS', atom: 'Atom', json: 'JSON Feed' };

// One small stylesheet inline: no build step, no extra request, readable on a phone, dark mode for free.
const CSS = `
:root{color-scheme:light dark;--fg:#1d1d1f;--muted:#5f6368;--bg:#fff;--card:#f6f7f9;--accent:#0b57d0;--line:#e3e5e8}
@media (prefers-color-scheme:dark){:root{--fg:#e8eaed;--muted:#9aa0a6;--bg:#121316;--card:#1c1e22;--accent:#8ab4f8;--line:#2c2f34}}
*{box-sizing:border-box}body{margin:0;font:16px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;color:var(--fg);background:var(--bg)}
main,header,footer{max-width:48rem;margin:0 auto;padding:0 1rem}header{padding-top:1rem;border-bottom:1px solid var(--line)}
header a.site{font-weight:700;font-size:1.25rem;color:var(--fg);text-decoration:none}nav{display:flex;flex-wrap:wrap;gap:.25rem .75rem;margin:.5rem 0}
a{color:var(--accent)}h1{font-size:1.5rem;margin:1.25rem 0 .5rem}h2{font-size:1.15rem;margin:1.5rem 0 .5rem}
.story{padding:.75rem 0;border-bottom:1px solid var(--line)}.story h3{margin:0;font-size:1.05rem}
.story h3 a{color:var(--fg);text-decoration:underline;text-decoration-color:var(--line);text-underline-offset:.2em}
.story h3 a:hover,.story h3 a:focus-visible{color:var(--accent);text-decoration-color:currentColor}
.story p{margin:.25rem 0;color:var(--muted)}.meta{font-size:.85rem;color:var(--muted)}
.badge{display:inline-block;font-size:.78rem;padding:.05rem .5rem;margin:.15rem .25rem 0 0;border-radius:1rem;background:var(--card);border:1px solid var(--line);color:var(--fg);text-decoration:none}
.count{font-weight:600;color:var(--accent)}.subscribe a{display:inline-block;font-size:.8rem;padding:.1rem .55rem;margin-right:.3rem;border-radius:.3rem;border:1px solid var(--accent);text-decoration:none}
.coverage{display:grid;grid-template-columns:repeat(auto-fill,minmax(14rem,1fr));gap:.75rem;margin:1rem 0}
.coverage article{background:var(--card);border:1px solid var(--line);border-radius:.5rem;padding:.75rem}.coverage h3{margin:.25rem 0;font-size:1rem}
.topic{margin-bottom:1.5rem}form.search{display:flex;gap:.5rem;margin:.75rem 0}form.search input{flex:1;padding:.4rem;font:inherit}
footer{padding:2rem 1rem;color:var(--muted);font-size:.85rem}
.notice{background:var(--card);border:1px solid var(--line);border-left:4px solid #d93025;border-radius:.4rem;padding:.5rem .9rem;margin:1rem 0}
.notice ul{margin:.25rem 0;padding-left:1.25rem}.failing{color:#d93025}@media (prefers-color-scheme:dark){.notice{border-left-color:#f28b82}.failing{color:#f28b82}}
.scroll{overflow-x:auto}table.feeds{width:100%;border-collapse:collapse;font-size:.85rem}
table.feeds th,table.feeds td{text-align:left;vertical-align:top;padding:.4rem .3rem;border-bottom:1px solid var(--line)}
.topics a{margin-right:.5rem}
`;

/** Formats a time for pages: "16 Feb 2022, 09:12 UTC". */
export function displayTime(date: Date): string {
  return `${date.toLocaleDateString('en-GB', { day: 'numeric', month: 'short', year: 'numeric', timeZone: 'UTC' })}, ${date.toISOString().slice(11, 16)} UTC`;
}

/** The page shell: head with autodiscovery links, header with topic navigation, footer. */
export function layout(options: { title: string; siteName: string; baseUrl: string; topics: Array<{ tag: string; title: string }>; alternates: Alternate[]; body: Html }): Html {
  const { title, siteName, baseUrl } = options;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<title>${title}</title>
<link rel="icon" href="${baseUrl}favicon.svg" type="image/svg+xml">
${options.alternates.map((a) => html`<link rel="alternate" type="${MEDIA_TYPES[a.format]}" title="${a.title}" href="${a.href}">\n`)}
<style>${raw(CSS + COVERAGE_CSS)}</style>
</head>
<body>
<header>
<a class="site" href="${baseUrl}">${siteName}</a>
<nav>${options.topics.map((t) => html`<a href="${baseUrl}topics/${t.tag}">${t.title}</a>`)}</nav>
</header>
<main>
${options.body}
</main>
<footer>Merged from outlet feeds by newsmerge · <a href="${baseUrl}all">All topics</a> · <a href="${baseUrl}blindspots">Blindspots</a> · <a href="${baseUrl}feeds">Feed status</a> · <a href="${baseUrl}opml">OPML of all topic feeds</a> · <a href="${baseUrl}api/topics">API</a></footer>
</body>
</html>`;
}

/** Subscribe buttons for the three formats of a feed. */
export function subscribeLinks(links: Record<FeedFormatName, string>): Html {
  return html`<span class="subscribe">${(['rss', 'atom', 'json'] as const).map((f) => html`<a href="${links[f]}" type="${MEDIA_TYPES[f]}">${FORMAT_LABELS[f]}</a>`)}</span>`;
}

/** One story in a list: headline, summary, coverage count, an outlet badge per outlet, and (`rated`) a small bar by lean. */
export function storyItem(story: StoryView, baseUrl: string, withSummary = true, rated = false): Html {
  const outlets = story.sourceCount === 1 ? '1 outlet' : `${story.sourceCount} outlets`;
  return html`<article class="story">
<h3><a href="${storyPageUrl(baseUrl, story.id)}">${story.title}</a></h3>
${withSummary && story.summary ? html`<p>${story.summary}</p>` : ''}
<div class="meta"><span class="count">${outlets}</span> · <time datetime="${story.published.toISOString()}">${displayTime(story.published)}</time></div>
<div>${story.sources.map((s) => (s.url ? html`<a class="badge" href="${s.url}" rel="noopener noreferrer">${s.name}</a>` : html`<span class="badge">${s.name}</span>`))}</div>
${rated ? coverageBar(story.coverage, true) : ''}
${story.related.length ? html`<p class="meta related">related: ${story.related.map((r, i) => html`${i > 0 ? ' · ' : ''}<a href="${storyPageUrl(baseUrl, r.id)}">${r.title}</a>`)}</p>` : ''}
</article>`;
}

const ERROR_HEADINGS: Record<number, string> = {
  400: 'This request cannot be answered',
  401: 'Not allowed',
  404: 'Page not found',
  500: 'Something went wrong',
  503: 'Not available right now',
};

/**
 * The body of an error page: what went wrong (the message names the parameter or the path) and where to go
 * instead. `retry` is the same page without its query, offered when a parameter was the trouble.
 */
export function errorBody(options: { status: number; message: string; baseUrl: string; topics: Array<{ tag: string; title: string }>; retry: string | null }): Html {
  const { status, message, baseUrl, topics, retry } = options;
  return html`<h1>${ERROR_HEADINGS[status] ?? 'Error'}</h1>
<p class="notice" role="alert"><strong>${status}</strong> · ${message}</p>
<p>${retry ? html`<a href="${retry}">Show this page without its parameters</a> · ` : ''}<a href="${baseUrl}">Front page</a> · <a href="${baseUrl}all">All topics</a> · <a href="${baseUrl}feeds">Feed status</a></p>
${topics.length ? html`<p class="topics">Topics: ${topics.map((t) => html`<a href="${baseUrl}topics/${t.tag}">${t.title}</a>`)}</p>` : ''}`;
}
