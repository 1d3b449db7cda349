import iconv from 'iconv-lite';

/** A decoded body and the charset that was used, for logs and tests. */
export interface DecodedBody {
  text: string;
  charset: string;
}

const BOMS: Array<[number[], string]> = [
  [[0x00, 0x00, 0xfe, 0xff], 'utf-32be'],
  [[0xff, 0xfe, 0x00, 0x00], 'utf-32le'],
  [[0xef, 0xbb, 0xbf], 'utf-8'],
  [[0xfe, 0xff], 'utf-16be'],
  [[0xff, 0xfe], 'utf-16le'],
];

/** Encodings iconv-lite lacks under these names, mapped to a superset it has. */
const ALIASES: Record<string, string> = {
  'x-sjis': 'shift_jis',
  'gb2312': 'gbk',
  'x-gbk': 'gbk',
  'iso-8859-8-i': 'iso-8859-8',
  'x-mac-roman': 'macintosh',
  'utf8': 'utf-8',
  'unicode': 'utf-16le',
  'ucs-2': 'utf-16le',
  'us-ascii': 'windows-1252',
  'ascii': 'windows-1252',
  'iso-8859-1': 'windows-1252',
  'latin1': 'windows-1252',
};

function usable(charset: string | null | undefined): string | null {
  if (!charset) return null;
  const name = charset.trim().replace(/^["']|["']$/g, '').toLowerCase();
  const mapped = Object.hasOwn(ALIASES, name) ? ALIASES[name]! : name;
  return iconv.encodingExists(mapped) ? mapped : null;
}

function bomCharset(body: Buffer): string | null {
  for (const [bytes, charset] of BOMS) {
    if (bytes.every((b, i) => body[i] === b)) return charset;
  }
  return null;
}

/** The charset parameter of a Content-Type header, if any. */
export function httpCharset(contentType: string | undefined): string | null {
  const match = /;\s*charset\s*=\s*("?)([^";\s]+)\1/i.exec(contentType ?? '');
  return match ? match[2]! : null;
}

function sniffUtf16(body: Buffer): string | null {
  // "<" without a BOM: 00 00 00 3C / 3C 00 00 00 is UTF-32, 00 3C 00 3F / 3C 00 3F 00 UTF-16 (XML 1.0 appendix F).
  if (body[0] === 0x00 && body[1] === 0x00 && body[2] === 0x00 && body[3] === 0x3c) return 'utf-32be';
  if (body[0] === 0x3c && body[1] === 0x00 && body[2] === 0x00 && body[3] === 0x00) return 'utf-32le';
  if (body[0] === 0x00 && body[1] === 0x3c && body[2] === 0x00) return 'utf-16be';
  if (body[0] === 0x3c && body[1] === 0x00 && body[2] === 0x3f && body[3] === 0x00) return 'utf-16le';
  return null;
}

function declaredCharset(body: Buffer): string | null {
  const head = body.subarray(0, 512).toString('latin1');
  const match = /^\s*<\?xml[^>]*?encoding\s*=\s*["']([^"']+)["']/i.exec(head);
  return match ? match[1]! : null;
}

const C1 = /[\u0080-\u009f]/g;

/**
 * C1 control characters never mean anything in a feed: they are windows-1252 punctuation (smart quotes,
 * dashes, the euro sign) labelled as ISO-8859-1 or UTF-8 by the publisher. Read them as windows-1252, as
 * browsers and feedparser do.
 */
function demoronize(text: string): string {
  return C1.test(text) ? text.replace(C1, (c) => windows1252(c.charCodeAt(0))) : text;
}

/** The windows-1252 character of a byte 0x80-0x9F (HTML5 reads numeric references to them the same way). */
export function windows1252(code: number): string {
  return iconv.decode(Buffer.from([code]), 'windows-1252');
}

/**
 * Decodes a feed body to text: a BOM wins, then the HTTP charset, then the XML declaration, then UTF-8
 * (JSON is always UTF-8 unless a BOM says otherwise). Invalid bytes become U+FFFD rather than failing.
 */
export function decodeBody(body: Buffer, contentType?: string): DecodedBody {
  const bom = bomCharset(body);
  const isJson = /json/i.test(contentType ?? '');
  const charset =
    bom ??
    sniffUtf16(body) ??
    usable(httpCharset(contentType)) ??
    (isJson ? null : usable(declaredCharset(body))) ??
    'utf-8';
  const text = iconv.decode(body, charset, { stripBOM: true });
  return { text: demoronize(text), charset };
}
