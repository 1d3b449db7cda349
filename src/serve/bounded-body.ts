import { HttpError } from './http-errors.js';

/** A request body past the route's limit (413); the message says the limit. */
class BodyTooLargeError extends HttpError {
  constructor(what: string, limit: number) {
    super(413, `${what} is too large (at most ${limit} bytes)`);
  }
}

/**
 * Reads a request body, at most `limit` bytes, whatever Content-Length says (a chunked request has none):
 * a larger one is refused without reading the rest.
 */
export async function boundedBody(body: ReadableStream<Uint8Array> | null, declared: string | undefined, limit: number, what = 'the request body'): Promise<Buffer> {
  if (declared !== undefined && Number(declared) > limit) throw new BodyTooLargeError(what, limit);
  if (!body) return Buffer.alloc(0);
  const chunks: Buffer[] = [];
  let size = 0;
  const reader = body.getReader();
  for (;;) {
    const { done, value } = await reader.read();
    if (done) break;
    size += value.byteLength;
    if (size > limit) {
      await reader.cancel().catch(() => undefined);
      throw new BodyTooLargeError(what, limit);
    }
    chunks.push(Buffer.from(value));
  }
  return Buffer.concat(chunks);
}
