/** An item of a generated test feed. */
export interface TestItem {
  title: string;
  link?: string;
  guid?: string;
  /** Milliseconds since the epoch. */
  date?: number;
  description?: string;
  /** RSS <category> elements (the outlet's sections). */
  categories?: string[];
}

function esc(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');
}

/** Writes an RSS 2.0 document for test items. */
export function rssFeed(items: TestItem[], options: { title?: string; ttl?: number } = {}): string {
  const body = items
    .map(
      (i) => `<item><title>${esc(i.title)}</title>${i.link ? `<link>${esc(i.link)}</link>` : ''}${i.guid !== undefined ? `<guid isPermaLink="false">${esc(i.guid)}</guid>` : ''}${
        i.date !== undefined ? `<pubDate>${new Date(i.date).toUTCString()}</pubDate>` : ''
      }<description>${esc(i.description ?? `About ${i.title}`)}</description>${(i.categories ?? []).map((c) => `<category>${esc(c)}</category>`).join('')}</item>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>${esc(options.title ?? 'Test outlet')}</title><link>https://outlet.example/</link><description>test</description>${
    options.ttl ? `<ttl>${options.ttl}</ttl>` : ''
  }\n${body}\n</channel></rss>`;
}

const CONSONANTS = 'bcdfghjklmnprstvz';
const VOWELS = 'aeiou';

/** A made-up word, the same for the same seed: test headlines that share no word never look alike to the clustering. */
export function pseudoWord(seed: string): string {
  let h = 2166136261;
  for (const c of seed) h = Math.imul(h ^ c.charCodeAt(0), 16777619) >>> 0;
  let word = '';
  for (let i = 0; i < 4; i++) {
    word += CONSONANTS[h % CONSONANTS.length]! + VOWELS[(h >>> 5) % VOWELS.length]!;
    h = Math.imul(h ^ (h >>> 13), 2246822519) >>> 0;
  }
  return word;
}

/** A headline of made-up words unique to (prefix, i). */
export function seriesTitle(prefix: string, i: number): string {
  const words = [0, 1, 2, 3, 4].map((k) => pseudoWord(`${prefix}/${i}/${k}`));
  return `${words[0]!.charAt(0).toUpperCase()}${words.join(' ').slice(1)}`;
}

/** `n` items one `gapMs` apart, newest at `newest`, with unique guids, links and unrelated headlines under `prefix`. */
export function itemSeries(prefix: string, n: number, newest: number, gapMs: number): TestItem[] {
  return Array.from({ length: n }, (_, i) => ({
    title: seriesTitle(prefix, i),
    link: `https://outlet.example/${prefix}/${i}`,
    guid: `${prefix}-${i}`,
    date: newest - i * gapMs,
    description: [5, 6, 7, 8, 9, 10].map((k) => pseudoWord(`${prefix}/${i}/${k}`)).join(' '),
  }));
}
