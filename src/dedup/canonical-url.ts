/** Query parameters that only track where a click came from; they never change which article a URL names. */
const TRACKING_PARAMS = new Set([
  'fbclid', 'gclid', 'gclsrc', 'dclid', 'msclkid', 'yclid', 'twclid', 'igshid', 'ttclid', 'li_fat_id',
  'mc_cid', 'mc_eid', '_hsenc', '_hsmi', 'mkt_tok', 'vero_id', 'wickedid', 'oly_anon_id', 'oly_enc_id',
  'cmpid', 'cmp', 'ocid', 'smid', 'smtyp', 'sr_share', 's_cid', 'sc_cid', 'ref', 'ref_src', 'ref_url',
  'rss', 'rssfeed', 'feedtype', 'ito', 'taid', 'spm', 'xtor', 'mbid', 'guccounter', 'guce_referrer',
  'guce_referrer_sig', 'soc_src', 'soc_trk', 'traffic_source', 'cid_source', 'dicbo', '_ga', '_gl',
  'wt.mc_id', 'wt.tsrc', 'icid', 'int_source', 'ncid', 'sref', 'cmpgn',
]);
const TRACKING_PREFIXES = ['utm_', 'at_', 'ns_', 'pk_', 'mtm_', 'hmb_', 'ga_', 'oref'];

function isTrackingParam(name: string): boolean {
  const lower = name.toLowerCase();
  return TRACKING_PARAMS.has(lower) || TRACKING_PREFIXES.some((prefix) => lower.startsWith(prefix));
}

/** Resolves `raw` against `base` to an absolute http(s) URL string, or null when it is not one. */
export function absoluteUrl(raw: string | null | undefined, base?: string | null): string | null {
  if (!raw) return null;
  const text = raw.trim();
  if (!text) return null;
  let url: URL;
  try {
    url = base ? new URL(text, base) : new URL(text);
  } catch {
    return null;
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') return null;
  if (!url.hostname) return null;
  url.username = '';
  url.password = '';
  return url.href;
}

/** Absolute URL without tracking parameters and fragment: what newsmerge stores and serves as an item's link. */
export function cleanUrl(raw: string | null | undefined, base?: string | null): string | null {
  const href = absoluteUrl(raw, base);
  if (!href) return null;
  const url = new URL(href);
  url.hash = '';
  const kept = [...url.searchParams].filter(([name]) => !isTrackingParam(name));
  url.search = kept.length ? new URLSearchParams(kept).toString() : '';
  return url.href;
}

/**
 * The matching key of a URL: scheme and "www." dropped, host lowercased, default port, trailing slash,
 * fragment and tracking parameters removed, remaining parameters sorted. Null for non-http(s) URLs
 * and for site roots, which never name one article.
 */
export function canonicalUrl(raw: string | null | undefined, base?: string | null): string | null {
  const href = cleanUrl(raw, base);
  if (!href) return null;
  const url = new URL(href);
  const host = url.hostname.replace(/^www\d*\./, '').replace(/\.$/, '');
  let path = url.pathname.replace(/\/+$/, '');
  if (!path && !url.search) return null;
  path = path || '/';
  const params = [...url.searchParams].sort(([a, av], [b, bv]) => (a === b ? (av < bv ? -1 : av > bv ? 1 : 0) : a < b ? -1 : 1));
  const query = params.length ? `?${new URLSearchParams(params).toString()}` : '';
  const port = url.port ? `:${url.port}` : '';
  return `${host}${port}${path}${query}`;
}
