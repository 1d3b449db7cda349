import { html } from 'hono/html';
import { coverageLine, sideCounts, type Coverage } from './coverage.js';
import type { Html } from './html-layout.js';
import type { SourceView } from './story-view.js';

/** Styles of the coverage bar and outlet badges, added to the page stylesheet. */
export const COVERAGE_CSS = `
.cbar{display:flex;height:.6rem;border-radius:.3rem;overflow:hidden;border:1px solid var(--line);background:var(--card);margin:.35rem 0 .15rem}
.cbar.small{height:.35rem;max-width:14rem;margin:.3rem 0 .1rem}.cbar span{display:block;height:100%}
.cbar .left{background:#3b6fd4}.cbar .center{background:#9a8fb0}.cbar .right{background:#d2473b}
.cbar .unrated{background:repeating-linear-gradient(45deg,var(--card),var(--card) 3px,var(--line) 3px,var(--line) 6px)}
.ctext{font-size:.8rem;color:var(--muted)}.outlets .lean,.outlets .country{font-size:.72rem;color:var(--muted)}
`;

const SEGMENTS = ['left', 'center', 'right', 'unrated'] as const;

/**
 * The proportional left / center / right / unrated bar with its counts in text beside it: the colours help,
 * the words carry the meaning (colour-blind readers, screen readers, text browsers).
 */
export function coverageBar(coverage: Coverage, small = false): Html {
  const counts = sideCounts(coverage.lean);
  const total = SEGMENTS.reduce((sum, s) => sum + counts[s], 0);
  const label = `Coverage by lean: ${counts.left} left, ${counts.center} center, ${counts.right} right, ${counts.unrated} unrated`;
  return html`<div class="coverage-lean"><div class="cbar${small ? ' small' : ''}" role="img" aria-label="${label}">${SEGMENTS.filter((s) => counts[s] > 0).map(
    (s) => html`<span class="${s}" style="width:${((counts[s] / total) * 100).toFixed(1)}%" title="${counts[s]} ${s}"></span>`,
  )}</div><span class="ctext">Coverage: ${coverageLine(coverage)}</span></div>`;
}

/** Countries and languages of the covering outlets in one line ("GB 2 · IE 1 · languages: en 3"); empty when no profile gives any. */
export function spreadLine(coverage: Coverage): Html | string {
  const countries = Object.entries(coverage.countries).map(([c, n]) => `${c} ${n}`);
  const languages = Object.entries(coverage.languages).map(([l, n]) => `${l} ${n}`);
  if (!countries.length && !languages.length) return '';
  return html`<p class="ctext spread">${countries.length ? `Countries: ${countries.join(' · ')}` : ''}${countries.length && languages.length ? ' — ' : ''}${languages.length ? `Languages: ${languages.join(' · ')}` : ''}</p>`;
}

/** One badge per outlet with its lean and country (owner in the tooltip), linked to its report. */
export function outletBadges(sources: readonly SourceView[], owners: (outlet: string) => string | undefined): Html {
  return html`<div class="outlets">${sources.map((s) => {
    const owner = owners(s.name);
    // Real spaces between the parts: copied text and screen readers get "BBC News center GB", not one word.
    const inner = html`${s.name}${s.lean ? html` <span class="lean">${s.lean}</span>` : ''}${s.country ? html` <span class="country">${s.country}</span>` : ''}`;
    return s.url
      ? html`<a class="badge outlet" href="${s.url}" rel="noopener noreferrer"${owner ? html` title="Owner: ${owner}"` : ''}>${inner}</a>`
      : html`<span class="badge outlet"${owner ? html` title="Owner: ${owner}"` : ''}>${inner}</span>`;
  })}</div>`;
}
