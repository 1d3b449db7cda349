const SECRET_PARAM = /^(?:token|access[_-]?token|auth|auth[_-]?token|key|api[_-]?key|apikey|secret|client[_-]?secret|password|passwd|pass|pwd|sig|signature|session|sessionid|sid|hash|login|user|username)$/i;

/** Hides user info and secret-looking query parameters (token, key, password...) of a feed URL for public display. */
export function redactUrl(raw: string): string {
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return raw;
  }
  if (url.username) url.username = 'REDACTED';
  if (url.password) url.password = 'REDACTED';
  const params = [...url.searchParams];
  if (params.some(([name]) => SECRET_PARAM.test(name))) {
    url.search = new URLSearchParams(params.map(([name, value]): [string, string] => [name, SECRET_PARAM.test(name) ? 'REDACTED' : value])).toString();
  }
  return url.href;
}
