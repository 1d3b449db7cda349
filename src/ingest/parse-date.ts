/** UTC offsets in minutes of zone names seen in real feeds; JavaScript's Date knows only the US ones. */
const ZONES: Record<string, number> = {
  UT: 0, UTC: 0, GMT: 0, Z: 0, WET: 0,
  EST: -300, EDT: -240, CST: -360, CDT: -300, MST: -420, MDT: -360, PST: -480, PDT: -420,
  AKST: -540, AKDT: -480, HST: -600, AST: -240, ADT: -180, NST: -210, NDT: -150,
  BST: 60, IST: 330, WEST: 60, CET: 60, CEST: 120, MET: 60, MEST: 120, EET: 120, EEST: 180,
  MSK: 180, MSD: 240, SAST: 120, WAT: 60, EAT: 180, PKT: 300, ICT: 420, WIB: 420, SGT: 480,
  HKT: 480, PHT: 480, CCT: 480, KST: 540, JST: 540, AWST: 480, ACST: 570, ACDT: 630,
  AEST: 600, AEDT: 660, NZST: 720, NZDT: 780, BRT: -180, ART: -180, CLT: -240,
  // RFC 822 military zones (A-I, K-M east, N-Y west); RFC 1123 says treat them as unknown (0).
  A: 0, M: 0, N: 0, Y: 0,
};

const MONTHS: Record<string, number> = {
  jan: 0, feb: 1, mar: 2, apr: 3, may: 4, jun: 5, jul: 6, aug: 7, sep: 8, sept: 8, oct: 9, nov: 10, dec: 11,
  // Localised abbreviations that appear in hand-written RSS.
  janv: 0, fév: 1, fev: 1, mär: 2, mrz: 2, avr: 3, mai: 4, juin: 5, juil: 6, aoû: 7, aou: 7, okt: 9, déc: 11, dez: 11,
  ene: 0, abr: 3, ago: 7, dic: 11, gen: 0, giu: 5, lug: 6, set: 8, ott: 9,
};

const ISO = /^(\d{4})-?(\d{2})-?(\d{2})(?:[T\s](\d{2}):?(\d{2})(?::?(\d{2})(?:[.,](\d+))?)?)?\s*(Z|[+-]\d{2}(?::?\d{2})?)?$/i;
const ISO_MONTH = /^(\d{4})-(\d{2})$/;
const RFC822 = /^(?:[A-Za-zéû]+\.?,?\s*)?(\d{1,2})[\s-]+([A-Za-zéûä]+)\.?[\s-]+(\d{2,4})(?:[\sT]+(\d{1,2}):(\d{2})(?::(\d{2})(?:\.\d+)?)?)?\s*(?:([+-]\d{2}:?\d{2}|[A-Za-z]{1,5})(?:\s*\(.*\))?)?$/;

function offsetMinutes(zone: string | undefined): number | null {
  if (!zone) return 0;
  if (/^[+-]\d{2}(:?\d{2})?$/.test(zone)) {
    const sign = zone[0] === '-' ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const minutes = Number(digits.slice(0, 2)) * 60 + Number(digits.slice(2, 4) || 0);
    return minutes > 18 * 60 ? null : sign * minutes;
  }
  const named = ZONES[zone.toUpperCase()];
  if (named !== undefined) return named;
  return /^[A-Za-z]$/.test(zone) ? 0 : null;
}

function build(year: number, month: number, day: number, h: number, m: number, s: number, ms: number, offset: number): number | null {
  if (month < 0 || month > 11 || day < 1 || day > 31 || h > 24 || m > 59 || s > 60) return null;
  const time = Date.UTC(year, month, day, h, m, s, ms) - offset * 60_000;
  return Number.isFinite(time) ? time : null;
}

function twoDigitYear(year: string): number {
  const n = Number(year);
  if (year.length > 2) return n;
  return n < 50 ? 2000 + n : 1900 + n;
}

/**
 * Parses a feed date (RFC 822 with any common zone name, ISO 8601 / W3C-DTF, and what Date.parse
 * accepts) to milliseconds since the epoch; null when it cannot be read. A date without a zone is UTC.
 */
export function parseFeedDate(raw: string | null | undefined): number | null {
  if (!raw) return null;
  const text = raw.trim().replace(/\s+/g, ' ');
  if (!text || text.length > 100) return null;
  let m = ISO.exec(text);
  if (m) {
    const offset = offsetMinutes(m[8]);
    if (offset === null) return null;
    const ms = m[7] ? Math.round(Number(`0.${m[7]}`) * 1000) : 0;
    return build(Number(m[1]), Number(m[2]) - 1, Number(m[3]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), ms, offset);
  }
  m = ISO_MONTH.exec(text);
  if (m) return build(Number(m[1]), Number(m[2]) - 1, 1, 0, 0, 0, 0, 0);
  m = RFC822.exec(text);
  if (m) {
    const month = MONTHS[m[2]!.toLowerCase().slice(0, 4)] ?? MONTHS[m[2]!.toLowerCase().slice(0, 3)];
    const offset = offsetMinutes(m[7]);
    if (month !== undefined && offset !== null) {
      return build(twoDigitYear(m[3]!), month, Number(m[1]), Number(m[4] ?? 0), Number(m[5] ?? 0), Number(m[6] ?? 0), 0, offset);
    }
  }
  const fallback = Date.parse(text);
  return Number.isFinite(fallback) ? fallback : null;
}

/** The earliest date newsmerge believes: older dates (year 1, 1970 placeholders) count as missing. */
export const EARLIEST_PLAUSIBLE_DATE = Date.UTC(1991, 0, 1);

/**
 * A publication date fit to store: missing or implausibly old dates become null (the caller uses the
 * time it first saw the item), dates in the future are clamped to the fetch time.
 */
export function plausibleDate(time: number | null, fetchedAt: number): number | null {
  if (time === null || time < EARLIEST_PLAUSIBLE_DATE) return null;
  return Math.min(time, fetchedAt);
}
