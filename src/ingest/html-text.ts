import { Parser } from 'htmlparser2';
import sanitizeHtml from 'sanitize-html';
import { absoluteUrl } from '../dedup/canonical-url.js';

const BLOCK = new Set(['p', 'div', 'br', 'li', 'ul', 'ol', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'tr', 'td', 'th', 'blockquote', 'section', 'article', 'figure', 'figcaption', 'pre', 'hr', 'table', 'dd', 'dt']);
// Never text a reader should see; the fallback text inside <object> or <iframe> is, so those stay.
const SKIP = new Set(['script', 'style', 'noscript', 'template']);

/** Characters XML 1.0 forbids (C0 controls but tab, CR, LF; U+FFFE/FFFF; lone surrogates). */
const XML_INVALID = /[\u0000-\u0008\u000B\u000C\u000E-\u001F\u007F\uFFFE\uFFFF]|[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/g;

/** Removes characters that cannot appear in XML, so any stored text can be served in RSS and Atom. */
export function stripInvalidXmlChars(text: string): string {
  return text.replace(XML_INVALID, '');
}

/** Collapses runs of whitespace to one space and trims. */
export function collapseSpace(text: string): string {
  return text.replace(/\s+/g, ' ').trim();
}

/** Shortens text to at most `max` characters at a word boundary, ending with "…". */
export function truncateText(text: string, max: number): string {
  if (text.length <= max) return text;
  const cut = text.slice(0, max - 1);
  const space = cut.lastIndexOf(' ');
  return `${(space > max * 0.6 ? cut.slice(0, space) : cut).trimEnd()}…`;
}

/** What a text walk leaves out besides SKIP, and how much text it needs before it may stop reading. */
interface TextWalk {
  skip?: ReadonlySet<string>;
  /** Stop once this many characters of collapsed text are read (the rest of the document is never parsed). */
  enough?: number;
}

/** Characters of HTML handed to the parser at a time when only the opening text is needed. */
const WALK_CHUNK = 4096;

function visibleText(html: string, walk: TextWalk = {}): string {
  let out = '';
  let skipDepth = 0;
  const skips = (name: string) => SKIP.has(name) || (walk.skip?.has(name) ?? false);
  const parser = new Parser(
    {
      onopentag(name) {
        if (skips(name)) skipDepth++;
        else if (BLOCK.has(name)) out += ' ';
      },
      ontext(text) {
        if (skipDepth === 0) out += text;
      },
      onclosetag(name) {
        if (skips(name)) skipDepth = Math.max(0, skipDepth - 1);
        else if (BLOCK.has(name)) out += ' ';
      },
    },
    { decodeEntities: true },
  );
  if (walk.enough === undefined) {
    parser.write(html);
  } else {
    // The parser streams, so a chunk may end inside a tag or entity; stop at the first chunk that gives enough.
    for (let at = 0; at < html.length; at += WALK_CHUNK) {
      parser.write(html.slice(at, at + WALK_CHUNK));
      if (collapseSpace(out).length >= walk.enough) break;
    }
  }
  parser.end();
  return collapseSpace(stripInvalidXmlChars(out));
}

/** The visible text of an HTML fragment (entities decoded, scripts dropped, blocks separated by spaces). */
export function htmlToText(html: string): string {
  return visibleText(html);
}

// A figure's caption and credit ("Photo: Reuters") come before the story in many bodies and say nothing of it.
const OPENING_SKIP = new Set(['figure', 'figcaption']);

/**
 * The opening text of an article body, at least `chars` characters when the body has them (figures and
 * captions left out; the last word may be cut). Parses only as much of the HTML as that takes, so a long body
 * costs no more than a short one.
 */
export function openingText(html: string, chars: number): string {
  return visibleText(html, { skip: OPENING_SKIP, enough: chars });
}

/** Escapes text for use in HTML (and XML) content and attribute values. */
export function escapeHtml(text: string): string {
  return text.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);
}

const URL_ATTRIBUTES: Record<string, string[]> = { a: ['href'], img: ['src'], source: ['src'], video: ['poster'], q: ['cite'], blockquote: ['cite'], del: ['cite'], ins: ['cite'] };

/**
 * Sanitizes untrusted outlet HTML: no scripts, styles, event handlers, iframes, forms, or javascript:/data:
 * URLs; relative links and images made absolute against `baseUrl` (the article's URL).
 */
export function sanitizeContent(html: string, baseUrl: string | null): string {
  const absolutize = (tagName: string, attribs: sanitizeHtml.Attributes) => {
    for (const attr of URL_ATTRIBUTES[tagName] ?? []) {
      const value = attribs[attr];
      if (value === undefined) continue;
      const resolved = /^mailto:/i.test(value.trim()) ? value.trim() : absoluteUrl(value, baseUrl);
      if (resolved) attribs[attr] = resolved;
      else delete attribs[attr];
    }
    if (tagName === 'a' && attribs.href) attribs.rel = 'noopener noreferrer';
    return { tagName, attribs };
  };
  const clean = sanitizeHtml(stripInvalidXmlChars(html), {
    allowedTags: [
      'a', 'abbr', 'b', 'blockquote', 'br', 'caption', 'cite', 'code', 'dd', 'del', 'dfn', 'div', 'dl', 'dt', 'em',
      'figcaption', 'figure', 'h1', 'h2', 'h3', 'h4', 'h5', 'h6', 'hr', 'i', 'img', 'ins', 'kbd', 'li', 'mark', 'ol',
      'p', 'pre', 'q', 's', 'samp', 'small', 'span', 'strong', 'sub', 'sup', 'table', 'tbody', 'td', 'tfoot', 'th',
      'thead', 'time', 'tr', 'u', 'ul',
    ],
    allowedAttributes: {
      a: ['href', 'title', 'rel'],
      img: ['src', 'alt', 'title', 'width', 'height'],
      abbr: ['title'], blockquote: ['cite'], q: ['cite'], del: ['cite'], ins: ['cite'], time: ['datetime'],
      td: ['colspan', 'rowspan'], th: ['colspan', 'rowspan', 'scope'],
    },
    allowedSchemes: ['http', 'https', 'mailto'],
    allowedSchemesAppliedToAttributes: ['href', 'src', 'cite'],
    allowProtocolRelative: false,
    disallowedTagsMode: 'discard',
    nonTextTags: ['script', 'style', 'textarea', 'option', 'noscript', 'template', 'iframe', 'object', 'embed', 'form', 'select', 'button', 'svg', 'math'],
    transformTags: Object.fromEntries(Object.keys(URL_ATTRIBUTES).map((tag) => [tag, absolutize])),
    exclusiveFilter: (frame) => frame.tag === 'img' && !frame.attribs.src,
  });
  return clean.trim();
}
