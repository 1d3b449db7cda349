import xml2js from 'xml2js';
import { ConfigError } from './load-config.js';

/** A feed found in an OPML file. */
export interface OpmlOutlet {
  url: string;
  title: string;
  /** Category names: the outline's category attribute and the titles of the folders it sits in. */
  categories: string[];
  /** The outlet name, when the outline names one (newsmerge's /opml/outlets does). */
  outlet?: string;
  /** Profile attributes the outline carries (country, language, lean, owner, labels), as written. */
  profile?: { country?: string; language?: string; lean?: string; owner?: string; labels?: string[] };
}

/** The profile attributes of an outline; undefined when it has none. */
function profileOf(attrs: Record<string, string>): OpmlOutlet['profile'] {
  const profile: NonNullable<OpmlOutlet['profile']> = {};
  for (const key of ['country', 'language', 'lean', 'owner'] as const) if (attrs[key]?.trim()) profile[key] = attrs[key].trim();
  const labels = (attrs.labels ?? '').split(',').map((l) => l.trim()).filter(Boolean);
  if (labels.length) profile.labels = labels;
  return Object.keys(profile).length ? profile : undefined;
}

type Outline = { $?: Record<string, string>; outline?: Outline[] };

function walk(outlines: Outline[] | undefined, folders: string[], found: OpmlOutlet[]): void {
  for (const o of outlines ?? []) {
    const attrs = o.$ ?? {};
    const title = (attrs.title ?? attrs.text ?? '').trim();
    if (attrs.xmlUrl) {
      const categories = (attrs.category ?? '').split(',').map((c) => c.trim().replace(/^\//, '')).filter(Boolean);
      const outlet = attrs.outlet?.trim();
      const profile = profileOf(attrs);
      found.push({ url: attrs.xmlUrl.trim(), title: title || attrs.xmlUrl.trim(), categories: [...folders, ...categories], ...(outlet ? { outlet } : {}), ...(profile ? { profile } : {}) });
    }
    walk(o.outline, attrs.xmlUrl ? folders : title ? [...folders, title] : folders, found);
  }
}

/** Reads the feeds of an OPML document (nested folders included); throws ConfigError when it is not OPML. */
export async function parseOpmlOutlets(text: string, source: string): Promise<OpmlOutlet[]> {
  let doc: { opml?: { body?: Array<{ outline?: Outline[] }> } };
  try {
    // A DOCTYPE would let an OPML file pull in entities; none is needed for OPML.
    doc = (await xml2js.parseStringPromise(text.replace(/<!DOCTYPE[^>[]*(\[[\s\S]*?\])?\s*>/i, ''), { strict: true })) as typeof doc;
  } catch (err) {
    throw new ConfigError(`${source} is not well-formed XML: ${(err as Error).message.split('\n')[0]}`);
  }
  if (!doc?.opml?.body) throw new ConfigError(`${source} is not an OPML file (no <opml><body>)`);
  const found: OpmlOutlet[] = [];
  walk(doc.opml.body[0]?.outline, [], found);
  return found;
}
