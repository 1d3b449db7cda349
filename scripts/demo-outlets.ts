/** The demo's sample outlets (demo/outlets): which feeds, their types, and their text with dates relative to now. */
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const OUTLETS = resolve(import.meta.dirname, '../demo/outlets');

/** Content types of the sample files, by extension. */
export const DEMO_TYPES: Record<string, string> = { xml: 'application/xml; charset=utf-8', rdf: 'application/rdf+xml; charset=utf-8', json: 'application/feed+json' };

/**
 * The sample outlets, the topics the demo tags them with, and their (made-up) profiles. The leans are chosen
 * so the demo shows both blindspots: the Senate story is covered by the right only (the left's blindspot),
 * the exoplanet story by the left and the center only (the right's).
 */
export const DEMO_FEEDS = [
  { file: 'global-wire.xml', title: 'Global Wire', tags: ['world', 'business', 'science'], profile: { country: 'GB', language: 'en-GB', lean: 'center', owner: 'Global Wire Cooperative', labels: ['wire service'] } },
  { file: 'daily-planet.xml', title: 'The Daily Planet', tags: ['world', 'science'], profile: { country: 'US', language: 'en-US', lean: 'lean-left', owner: 'Planet Media Group', labels: ['daily newspaper'] } },
  { file: 'capital-hill-post.xml', title: 'Capital Hill Post', tags: ['politics', 'world'], profile: { country: 'US', language: 'en-US', lean: 'lean-right', owner: 'Hill Street Holdings', labels: ['political news'] } },
  { file: 'morning-ledger.json', title: 'The Morning Ledger', tags: ['business', 'technology', 'politics'], profile: { country: 'US', language: 'en-US', lean: 'right', owner: 'Ledger Publishing Co.', labels: ['business daily'] } },
  { file: 'science-weekly.rdf', title: 'Science Weekly', tags: ['science'], profile: { country: 'IE', language: 'en-IE', lean: 'left', owner: 'Science Weekly Trust', labels: ['magazine'] } },
];

function offsetMs(spec: string): number {
  let total = 0;
  for (const [, n, unit] of spec.matchAll(/(\d+)([hm])/g)) total += Number(n) * (unit === 'h' ? 3_600_000 : 60_000);
  return spec.startsWith('-') ? -total : total;
}

/** A sample feed as served from `host`, its dates `now` plus the offsets it names. */
export function renderDemoFeed(file: string, host: string, now = Date.now()): string {
  return readFileSync(join(OUTLETS, file), 'utf8')
    .replaceAll('{{host}}', host)
    .replace(/\{\{(rfc822|iso):([^}]+)\}\}/g, (_, kind: string, spec: string) => {
      // Round to the minute so that repeated fetches within a minute are byte-identical (ETag, 304).
      const date = new Date(Math.floor((now + offsetMs(spec)) / 60_000) * 60_000);
      return kind === 'iso' ? date.toISOString() : date.toUTCString();
    });
}

/** The demo's feeds.config.json, its feeds served under `outletsBase` (ending in "/"). */
export function demoConfig(outletsBase: string) {
  return {
    title: 'newsmerge demo',
    schedule: '* * * * *',
    minInterval: '1m',
    topics: {
      world: { title: 'World', description: 'World news from the demo outlets' },
      politics: { title: 'Politics', description: 'Politics from the demo outlets' },
      business: { title: 'Business', description: 'Business and markets' },
      technology: { title: 'Technology', description: 'Technology' },
      science: { title: 'Science', description: 'Science and research' },
    },
    feeds: DEMO_FEEDS.map((f) => ({ url: `${outletsBase}${f.file}`, title: f.title, tags: f.tags })),
    // Made-up outlets, made-up leans: enough for the coverage bars, filters and /blindspots to show something.
    outlets: Object.fromEntries(DEMO_FEEDS.map((f) => [f.title, f.profile])),
  };
}
