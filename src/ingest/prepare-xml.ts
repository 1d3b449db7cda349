import { decodeHTMLStrict } from 'entities';
import { windows1252 } from './decode-body.js';
import { stripInvalidXmlChars } from './html-text.js';

const XML_ENTITIES = new Set(['amp', 'lt', 'gt', 'quot', 'apos']);
const REFERENCE = /&(?:#(\d{1,8})|#[xX]([0-9a-fA-F]{1,7})|([A-Za-z][A-Za-z0-9]{0,31}))?;?/g;

function isXmlChar(code: number): boolean {
  return code === 0x9 || code === 0xa || code === 0xd || (code >= 0x20 && code <= 0xd7ff) || (code >= 0xe000 && code <= 0xfffd) || (code >= 0x10000 && code <= 0x10ffff);
}

/**
 * Rewrites character references so a strict XML parser accepts them without a DTD: HTML named entities
 * (&nbsp;, &eacute;) become numeric references, invalid numeric references are dropped, and a bare "&" or
 * an unknown entity becomes literal text. DTD entities are never expanded, so billion-laughs and
 * external-entity documents stay inert.
 */
function repairReferences(text: string): string {
  return text.replace(REFERENCE, (match, dec: string | undefined, hex: string | undefined, name: string | undefined) => {
    const terminated = match.endsWith(';');
    if (dec !== undefined || hex !== undefined) {
      const code = dec !== undefined ? Number(dec) : parseInt(hex!, 16);
      if (terminated && code >= 0x80 && code <= 0x9f) return `&#${windows1252(code).codePointAt(0)};`;
      return terminated && isXmlChar(code) ? match : terminated ? '' : `&amp;${match.slice(1)}`;
    }
    if (name !== undefined && terminated) {
      if (XML_ENTITIES.has(name)) return match;
      const decoded = decodeHTMLStrict(match);
      if (decoded !== match) return [...decoded].map((c) => `&#${c.codePointAt(0)};`).join('');
    }
    return `&amp;${match.slice(1)}`;
  });
}

/** Outside CDATA sections and comments, applies `fix` to the text (a linear scan, whatever the input). */
function outsideCdata(text: string, fix: (part: string) => string): string {
  let out = '';
  let pos = 0;
  while (pos < text.length) {
    const cdata = text.indexOf('<![CDATA[', pos);
    const comment = text.indexOf('<!--', pos);
    const start = cdata < 0 ? comment : comment < 0 ? cdata : Math.min(cdata, comment);
    if (start < 0) break;
    const terminator = start === cdata ? ']]>' : '-->';
    const end = text.indexOf(terminator, start + 4);
    const stop = end < 0 ? text.length : end + terminator.length;
    out += fix(text.slice(pos, start)) + text.slice(start, stop);
    pos = stop;
  }
  return out + fix(text.slice(pos));
}

/**
 * Removes a DOCTYPE declaration with its internal subset, where entity bombs and external entities live. Only
 * in the prolog, read token by token: "<!DOCTYPE" in a comment or in an item's CDATA is text, not a DOCTYPE.
 */
function stripDoctype(text: string): string {
  let pos = 0;
  while (pos < text.length) {
    const next = text.slice(pos).search(/\S/);
    if (next < 0) return text;
    pos += next;
    if (text.startsWith('<?', pos)) pos = endOf(text, '?>', pos);
    else if (text.startsWith('<!--', pos)) pos = endOf(text, '-->', pos);
    else if (/^<!DOCTYPE/i.test(text.slice(pos, pos + 9))) return text.slice(0, pos) + text.slice(doctypeEnd(text, pos));
    else return text;
  }
  return text;
}

function endOf(text: string, terminator: string, from: number): number {
  const at = text.indexOf(terminator, from);
  return at < 0 ? text.length : at + terminator.length;
}

function doctypeEnd(text: string, start: number): number {
  let depth = 0;
  for (let i = start + 9; i < text.length; i++) {
    const c = text[i];
    if (c === '[') depth++;
    else if (c === ']') depth = Math.max(0, depth - 1);
    else if (c === '>' && depth === 0) return i + 1;
  }
  return text.length;
}

const ITEM_START = /<(?:[A-Za-z_][\w.-]*:)?(?:item|entry)(?=[\s>/])/g;
const ITEM_END = /<\/(?:[A-Za-z_][\w.-]*:)?(?:item|entry)\s*>|<(?:[A-Za-z_][\w.-]*:)?(?:item|entry)(?:\s[^>]*)?\/>/g;

/** Keeps the first `maxItems` items of a feed document (before parsing, so a million items cost no parse). */
function capItems(text: string, maxItems: number): { text: string; dropped: number } {
  let count = 0;
  let cutAt = -1;
  for (const m of text.matchAll(ITEM_START)) {
    count++;
    if (count === maxItems + 1) cutAt = m.index;
  }
  if (cutAt < 0) return { text, dropped: 0 };
  let tailAt = cutAt;
  for (const m of text.slice(cutAt).matchAll(ITEM_END)) tailAt = cutAt + m.index + m[0].length;
  return { text: text.slice(0, cutAt) + text.slice(tailAt), dropped: count - maxItems };
}

/** Completes a document whose last closing tag lost its ">" ("</rss" at the very end). */
function completeLastTag(text: string): string {
  return /<\/[A-Za-z_][\w:.-]*\s*$/.test(text) ? `${text.trimEnd()}>` : text;
}

/** Makes untrusted feed XML safe and acceptable for a strict parser; reports how many items were cut. */
export function prepareXml(raw: string, maxItems: number): { text: string; dropped: number } {
  const capped = capItems(completeLastTag(stripDoctype(stripInvalidXmlChars(raw))), maxItems);
  return { text: outsideCdata(capped.text, repairReferences), dropped: capped.dropped };
}
