/**
 * A rewriter of request paths for a base URL with a path prefix (`NEWSMERGE_BASE_URL=https://example.org/news/`):
 * a reverse proxy may pass `/news/topics/world.rss` as it is or strip the prefix; both reach the same route.
 * Without a prefix it returns null (nothing to rewrite).
 */
export function basePathRewriter(baseUrl: string): ((url: string) => string) | null {
  const prefix = new URL(baseUrl).pathname.replace(/\/+$/, '');
  if (prefix === '') return null;
  return (url) => {
    if (url !== prefix && !url.startsWith(`${prefix}/`) && !url.startsWith(`${prefix}?`)) return url;
    const rest = url.slice(prefix.length);
    return rest.startsWith('/') ? rest : `/${rest}`;
  };
}
