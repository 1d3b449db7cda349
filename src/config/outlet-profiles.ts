import { z } from 'zod';

/** The five-point scale media-bias raters use, left to right. */
export const LEANS = ['left', 'lean-left', 'center', 'lean-right', 'right'] as const;
/** One point of the lean scale. */
export type Lean = (typeof LEANS)[number];

/** The two sides of the scale: a side is its outer and its leaning bucket. */
export const SIDES = { left: ['left', 'lean-left'], right: ['right', 'lean-right'] } as const satisfies Record<string, readonly Lean[]>;
/** left or right. */
export type Side = keyof typeof SIDES;

// ISO 3166-1 alpha-2 officially assigned codes (249), plus XK (Kosovo, used by the EU and most registries):
// a typo such as "UK" or "EN" must be refused, not counted as a country of its own.
const COUNTRY_CODES = new Set(
  ('AD AE AF AG AI AL AM AO AQ AR AS AT AU AW AX AZ BA BB BD BE BF BG BH BI BJ BL BM BN BO BQ BR BS BT BV BW BY BZ ' +
    'CA CC CD CF CG CH CI CK CL CM CN CO CR CU CV CW CX CY CZ DE DJ DK DM DO DZ EC EE EG EH ER ES ET FI FJ FK FM FO FR ' +
    'GA GB GD GE GF GG GH GI GL GM GN GP GQ GR GS GT GU GW GY HK HM HN HR HT HU ID IE IL IM IN IO IQ IR IS IT JE JM JO JP ' +
    'KE KG KH KI KM KN KP KR KW KY KZ LA LB LC LI LK LR LS LT LU LV LY MA MC MD ME MF MG MH MK ML MM MN MO MP MQ MR MS MT ' +
    'MU MV MW MX MY MZ NA NC NE NF NG NI NL NO NP NR NU NZ OM PA PE PF PG PH PK PL PM PN PR PS PT PW PY QA RE RO RS RU RW ' +
    'SA SB SC SD SE SG SH SI SJ SK SL SM SN SO SR SS ST SV SX SY SZ TC TD TF TG TH TJ TK TL TM TN TO TR TT TV TW TZ UA UG ' +
    'UM US UY UZ VA VC VE VG VI VN VU WF WS YE YT ZA ZM ZW XK').split(' '),
);

/** True for an ISO 3166-1 alpha-2 code (upper case). */
export function isCountryCode(code: string): boolean {
  return COUNTRY_CODES.has(code);
}

/**
 * A BCP 47 tag in its canonical form ("en-gb" → "en-GB"), or null when it is not a well-formed tag. The
 * language must be an ISO 639 code (2 or 3 letters): BCP 47 also allows 5-8 letters, which only catches
 * "english" written for "en".
 */
export function canonicalLanguage(tag: string): string | null {
  if (!/^[A-Za-z]{2,3}(?:-[A-Za-z0-9]{1,8})*$/.test(tag)) return null;
  try {
    return Intl.getCanonicalLocales(tag)[0] ?? null;
  } catch {
    return null;
  }
}

/** The primary language subtag of a canonical tag ("en-GB" → "en"): coverage counts languages, not regional variants. */
export function primaryLanguage(tag: string): string {
  return tag.split('-')[0]!.toLowerCase();
}

const LEAN_RULE = `must be one of ${LEANS.join(', ')}`;

const country = z
  .string()
  .trim()
  .transform((value, ctx) => {
    const code = value.toUpperCase();
    if (!isCountryCode(code)) {
      ctx.addIssue({ code: 'custom', message: `"${value}" is not an ISO 3166-1 alpha-2 country code (two letters such as GB, US, DE; the United Kingdom is GB)` });
      return z.NEVER;
    }
    return code;
  });

const language = z
  .string()
  .trim()
  .transform((value, ctx) => {
    const tag = canonicalLanguage(value);
    if (tag === null) {
      ctx.addIssue({ code: 'custom', message: `"${value}" is not a BCP 47 language tag (such as en, de, pt-BR, zh-Hant)` });
      return z.NEVER;
    }
    return tag;
  });

/** What the config says about one outlet: all optional, so a profile can name just a country. */
const outletProfileSchema = z.strictObject({
  /** ISO 3166-1 alpha-2, stored upper case. */
  country: country.optional(),
  /** BCP 47, stored canonical. */
  language: language.optional(),
  lean: z.enum(LEANS, { error: (issue) => `${issue.input === undefined ? 'is missing: it ' : `"${String(issue.input)}" `}${LEAN_RULE}` }).optional(),
  owner: z.string().trim().min(1, 'must not be empty').max(200).optional(),
  labels: z.array(z.string().trim().min(1, 'a label must not be empty').max(60)).max(20).default([]),
}, { error: (issue) => (issue.code === 'unrecognized_keys' ? `unknown ${issue.keys.length === 1 ? 'key' : 'keys'} ${issue.keys.map((k) => JSON.stringify(k)).join(', ')}: a profile takes country, language, lean, owner, labels` : undefined) });

/** An outlet's profile after validation. */
export type OutletProfile = z.output<typeof outletProfileSchema>;

/** The top-level `outlets` object of feeds.config.json, keyed by outlet name. */
export const outletProfilesSchema = z.record(z.string().trim().min(1, 'an outlet name must not be empty'), outletProfileSchema);

/** The outlet name of a feed: its `outlet`, else its title (what stories count and pages show). */
export function outletName(feed: { outlet?: string | undefined; title: string }): string {
  return feed.outlet ?? feed.title;
}

/** Where a config check reports a problem (zod's refinement context, narrowed to what is used). */
interface IssueSink {
  addIssue(issue: { code: 'custom'; path: PropertyKey[]; message: string }): void;
}

/**
 * Reports every profile that names no configured outlet: a typo in a name would otherwise silently leave
 * the outlet unrated. The message lists the names that would work (and the likely one when only case differs).
 */
export function checkOutletProfiles(feeds: ReadonlyArray<{ outlet?: string | undefined; title: string }>, outlets: Record<string, unknown>, ctx: IssueSink): void {
  const names = [...new Set(feeds.map(outletName))];
  for (const name of Object.keys(outlets)) {
    if (names.includes(name)) continue;
    const near = names.find((n) => n.toLowerCase() === name.toLowerCase());
    const listed = names.length > 12 ? `${names.slice(0, 12).map((n) => JSON.stringify(n)).join(', ')}, …` : names.map((n) => JSON.stringify(n)).join(', ');
    const hint = near ? `did you mean ${JSON.stringify(near)}?` : names.length ? `configured outlets: ${listed}` : 'no feeds are configured';
    ctx.addIssue({ code: 'custom', path: ['outlets', name], message: `names no configured outlet (a feed's "outlet", else its "title"); ${hint}` });
  }
}
