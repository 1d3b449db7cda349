/** An item of a generated test feed. */
export interface TestItem {
  title: string;
  link?: string;
  guid?: string;
  /** Milliseconds since the epoch. */
  date?: number;
  description?: string;
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
      }<description>${esc(i.description ?? `About ${i.title}`)}</description></item>`,
    )
    .join('\n');
  return `<?xml version="1.0" encoding="UTF-8"?>\n<rss version="2.0"><channel><title>${esc(options.title ?? 'Test outlet')}</title><link>https://outlet.example/</link><description>test</description>${
    options.ttl ? `<ttl>${options.ttl}</ttl>` : ''
  }\n${body}\n</channel></rss>`;
}

/** `n` items one `gapMs` apart, newest at `newest`, with unique guids and links under `prefix`. */
export function itemSeries(prefix: string, n: number, newest: number, gapMs: number): TestItem[] {
  return Array.from({ length: n }, (_, i) => ({
    title: `${prefix} story number ${i} about distinct matter ${prefix}${i}`,
    link: `https://outlet.example/${prefix}/${i}`,
    guid: `${prefix}-${i}`,
    date: newest - i * gapMs,
  }));
}
