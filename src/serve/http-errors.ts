/** An error with an HTTP status; the message is safe to show to the client. */
export class HttpError extends Error {
  constructor(
    readonly status: 400 | 401 | 404 | 405 | 413 | 414 | 429 | 503,
    message: string,
  ) {
    super(message);
    this.name = new.target.name;
  }
}

/** A query value or path that cannot be used (400); the message names the parameter. */
export class BadRequestError extends HttpError {
  constructor(message: string) {
    super(400, message);
  }
}

/** A topic, story or route that does not exist (404). */
export class NotFoundError extends HttpError {
  constructor(message: string) {
    super(404, message);
  }
}

/** Something the server cannot do right now but will again (503): the ingest thread restarting, a stop. */
export class UnavailableError extends HttpError {
  constructor(message: string) {
    super(503, message);
  }
}

/** An admin route called without the right bearer token (401). */
export class UnauthorizedError extends HttpError {
  constructor(message = 'a valid bearer token is required') {
    super(401, message);
  }
}

// Answers in their own format whatever happens: the JSON API, health, metrics, OPML, and any file name
// (topic feeds, /favicon.ico, /robots.txt): a feed reader or script must never receive an HTML page.
const DATA_PATH = /^\/(?:api|healthz|readyz|metrics|opml|websub)(?:\/|$)|\.[A-Za-z0-9]{1,8}$/;

/** True when an error at this path is answered with an HTML page: the pages, and unknown paths that look like pages. */
export function answersWithPage(path: string): boolean {
  return !DATA_PATH.test(path) || path.endsWith('.html');
}
