import { readFileSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';

/** A canned answer of the fixture server. */
export interface FixtureResponse {
  status?: number;
  headers?: Record<string, string>;
  body?: string | Buffer;
}

/** A route: a canned answer, or a handler for anything stranger (slow bodies, conditional GET). */
export type FixtureRoute = FixtureResponse | ((req: IncomingMessage, res: ServerResponse) => void);

/** A real HTTP server on a loopback address serving outlet feeds to the poller under test. */
export class FixtureServer {
  readonly routes = new Map<string, FixtureRoute>();
  readonly requests: Array<{ path: string; headers: IncomingMessage['headers'] }> = [];
  private server: Server | null = null;
  private base = '';
  /** While set, a test's own server answers (in unrouted()) only once it resolves. */
  protected held: Promise<void> | null = null;

  /** Starts listening on `host` (an ephemeral port). */
  async start(host = '127.0.0.1'): Promise<this> {
    this.server = createServer((req, res) => {
      this.requests.push({ path: req.url ?? '/', headers: req.headers });
      const route = this.routes.get((req.url ?? '/').split('?')[0]!) ?? this.routes.get(req.url ?? '/');
      if (!route) {
        this.unrouted(req, res);
      } else if (typeof route === 'function') {
        route(req, res);
      } else {
        res.writeHead(route.status ?? 200, route.headers ?? { 'content-type': 'application/xml' }).end(route.body ?? '');
      }
    });
    await new Promise<void>((resolve) => this.server!.listen(0, host, resolve));
    const { port } = this.server.address() as AddressInfo;
    this.base = `http://${host}:${port}`;
    return this;
  }

  /** Answers a request no route matches: 404 here; a test's own server (a webhook, a hub) answers everything here. */
  protected unrouted(_req: IncomingMessage, res: ServerResponse): void {
    res.writeHead(404, { 'content-type': 'text/plain' }).end('not found');
  }

  /** Holds the answers of unrouted() (a slow webhook or subscriber) until the returned function is called. */
  holdAnswers(): () => void {
    let release!: () => void;
    this.held = new Promise<void>((resolve) => (release = resolve));
    return () => {
      release();
      this.held = null;
    };
  }

  /** Absolute URL of a path on this server. */
  url(path: string): string {
    return `${this.base}${path}`;
  }

  /** Serves a file from disk at `path`. */
  file(path: string, file: string, contentType = 'application/xml'): this {
    this.routes.set(path, { headers: { 'content-type': contentType }, body: readFileSync(file) });
    return this;
  }

  /** Requests received for one path. */
  requestsFor(path: string): Array<{ path: string; headers: IncomingMessage['headers'] }> {
    return this.requests.filter((r) => r.path.split('?')[0] === path);
  }

  async close(): Promise<void> {
    this.server?.closeAllConnections();
    await new Promise<void>((resolve) => (this.server ? this.server.close(() => resolve()) : resolve()));
  }
}

/** The whole body of a request. */
export function readBody(req: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => resolve(Buffer.concat(chunks)));
    req.on('error', reject);
  });
}
