import type { Duplex } from 'node:stream';
import { escapeMarkup } from './markup.js';
import { answersWithPage } from './http-errors.js';

/** Largest request line plus headers the server reads (Node's default, set explicitly so the README's figure holds). */
export const MAX_HEADER_BYTES = 16_384;

interface Refusal {
  status: number;
  reason: string;
  message: string;
}

function refusalOf(code: string | undefined): Refusal {
  switch (code) {
    case 'HPE_HEADER_OVERFLOW':
      return {
        status: 431,
        reason: 'Request Header Fields Too Large',
        message: `The request line and headers are over ${MAX_HEADER_BYTES / 1024} KB. No valid query is that long (q takes at most 200 characters, source at most 500): shorten the URL.`,
      };
    case 'HPE_CHUNK_EXTENSIONS_OVERFLOW':
      return { status: 413, reason: 'Content Too Large', message: 'The chunk extensions of the request body are too large.' };
    case 'ERR_HTTP_REQUEST_TIMEOUT':
      return { status: 408, reason: 'Request Timeout', message: 'The request took too long to arrive.' };
    default:
      return { status: 400, reason: 'Bad Request', message: 'The request is not well-formed HTTP.' };
  }
}

/**
 * Answers requests Node's HTTP parser refuses before any route sees them (headers over MAX_HEADER_BYTES,
 * malformed requests, timeouts), as Node would but with a body saying why: HTML when the request line names
 * a page, JSON otherwise. The path is read from the raw bytes, since no request object exists.
 */
export function clientErrorHandler(baseUrl: string): (err: NodeJS.ErrnoException & { rawPacket?: Buffer }, socket: Duplex) => void {
  return (err, socket) => {
    const inFlight = (socket as Duplex & { _httpMessage?: { headersSent?: boolean } | null })._httpMessage;
    if (err.code === 'ECONNRESET' || err.code === 'EPIPE' || !socket.writable || inFlight?.headersSent) {
      socket.destroy();
      return;
    }
    const { status, reason, message } = refusalOf(err.code);
    const path = err.rawPacket ? /^[A-Z]{3,10} (\/[^\s?#]{0,2000})/.exec(err.rawPacket.toString('latin1', 0, 2100))?.[1] : undefined;
    const page = path !== undefined && answersWithPage(path);
    const body = page
      ? `<!doctype html>\n<html lang="en"><head><meta charset="utf-8"><title>${status} ${reason}</title></head>\n<body><h1>${reason}</h1>\n<p>${escapeMarkup(message)}</p>\n<p><a href="${escapeMarkup(baseUrl)}">Front page</a></p></body></html>\n`
      : `${JSON.stringify({ error: message })}\n`;
    const type = page ? 'text/html; charset=UTF-8' : 'application/json';
    // Written, then the socket destroyed at once, as Node does: a client still sending headers is cut off.
    socket.write(`HTTP/1.1 ${status} ${reason}\r\nContent-Type: ${type}\r\nContent-Length: ${Buffer.byteLength(body)}\r\nConnection: close\r\n\r\n${body}`);
    socket.destroy();
  };
}
