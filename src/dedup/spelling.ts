/**
 * British and American spellings of one word ("defence" and "defense", "armoured" and "armored",
 * "organised" and "organized"): BBC, The Guardian or DW and American outlets report the same events, and
 * the stemmer keeps the two spellings apart. Only spellings listed here (or built from the listed stems)
 * are changed, so that "four", "tour", "promise" or "exercise" never are.
 */

/** Whole words spelled differently. */
const WORDS = new Map<string, string>([
  ['defence', 'defense'], ['defences', 'defenses'], ['offence', 'offense'], ['offences', 'offenses'],
  ['licence', 'license'], ['licences', 'licenses'], ['pretence', 'pretense'],
  ['centre', 'center'], ['centres', 'centers'], ['centred', 'centered'], ['theatre', 'theater'],
  ['theatres', 'theaters'], ['metre', 'meter'], ['metres', 'meters'], ['kilometre', 'kilometer'],
  ['kilometres', 'kilometers'], ['litre', 'liter'], ['litres', 'liters'], ['fibre', 'fiber'],
  ['calibre', 'caliber'], ['manoeuvre', 'maneuver'], ['manoeuvres', 'maneuvers'], ['sombre', 'somber'],
  ['programme', 'program'], ['programmes', 'programs'], ['aluminium', 'aluminum'], ['grey', 'gray'],
  ['sceptic', 'skeptic'], ['sceptics', 'skeptics'], ['sceptical', 'skeptical'], ['scepticism', 'skepticism'],
  ['cheque', 'check'], ['cheques', 'checks'], ['tyre', 'tire'], ['tyres', 'tires'], ['jewellery', 'jewelry'],
  ['paediatric', 'pediatric'], ['foetus', 'fetus'], ['oestrogen', 'estrogen'], ['diarrhoea', 'diarrhea'],
  ['anaesthetic', 'anesthetic'], ['haemorrhage', 'hemorrhage'], ['leukaemia', 'leukemia'],
  ['orthopaedic', 'orthopedic'], ['analogue', 'analog'], ['catalogue', 'catalog'], ['dialogue', 'dialog'],
  ['pyjamas', 'pajamas'], ['plough', 'plow'], ['moustache', 'mustache'], ['mum', 'mom'], ['mums', 'moms'],
]);

/** Stems written "-our" in British English ("colour", "labour", "armoured", "favourite"). */
const OUR_STEMS = [
  'arbo', 'ardo', 'armo', 'behavio', 'cando', 'clamo', 'colo', 'demeano', 'endeavo', 'favo', 'fervo',
  'flavo', 'harbo', 'hono', 'humo', 'labo', 'neighbo', 'odo', 'parlo', 'ranco', 'rigo', 'rumo', 'savio',
  'savo', 'splendo', 'tumo', 'valo', 'vapo', 'vigo',
];
const OUR = new RegExp(`^(dis|un|re)?(${OUR_STEMS.join('|')})ur(s|ed|ing|ite|ites|able|ably|al|er|ers|hood|hoods|ful|less)?$`);

/** Stems written "-ise" in British English ("organise", "criticised", "privatisation"). */
const ISE_STEMS = [
  'apolog', 'author', 'capital', 'categor', 'central', 'character', 'civil', 'colon', 'commercial',
  'criminal', 'critic', 'crystal', 'decentral', 'decriminal', 'democrat', 'demobil', 'destabil', 'digit', 'econom',
  'emphas', 'energ', 'equal', 'final', 'fossil', 'global', 'harmon', 'hospital', 'human', 'ideal',
  'immun', 'industrial', 'internal', 'jeopard', 'legal', 'legitim', 'liberal', 'local', 'marginal',
  'maxim', 'memor', 'militar', 'minim', 'mobil', 'modern', 'monet', 'moral', 'national', 'natural',
  'neutral', 'normal', 'optim', 'organ', 'penal', 'polar', 'popular', 'priorit', 'privat', 'radical',
  'random', 'rational', 'real', 'recogn', 'revital', 'sanit', 'scrutin', 'sensit', 'social', 'special',
  'stabil', 'standard', 'steril', 'subsid', 'summar', 'symbol', 'sympath', 'synchron', 'terror', 'theor',
  'trivial', 'util', 'vandal', 'vapor', 'victim', 'visual',
];
const ISE = new RegExp(`^(re|de|un|over|under)?(${ISE_STEMS.join('|')})is(e|es|ed|ing|ation|ations|er|ers)$`);

/** "-yse" for "-yze": "analyse", "paralysed", "catalysing". */
const YSE = /^(ana|para|cata|dia|electro|hydro)ly(s)(e|es|ed|ing)$/;

/** The American spelling of a lowercased word, or the word itself. */
export function americanSpelling(lower: string): string {
  const whole = WORDS.get(lower);
  if (whole !== undefined) return whole;
  if (lower.includes('our')) {
    const m = OUR.exec(lower);
    if (m) return `${m[1] ?? ''}${m[2]}r${m[3] ?? ''}`;
  }
  if (lower.includes('is')) {
    const m = ISE.exec(lower);
    if (m) return `${m[1] ?? ''}${m[2]}iz${m[3]}`;
  }
  if (lower.includes('lys')) {
    const m = YSE.exec(lower);
    if (m) return `${m[1]}lyz${m[3]}`;
  }
  return lower;
}

// The same rules read the other way, for search: an American word to the British spellings it may stand for.
const OUR_AMERICAN = new RegExp(`^(dis|un|re)?(${OUR_STEMS.join('|')})r(s|ed|ing|ite|ites|able|ably|al|er|ers|hood|hoods|ful|less)?$`);
const IZE_AMERICAN = new RegExp(`^(re|de|un|over|under)?(${ISE_STEMS.join('|')})iz(e|es|ed|ing|ation|ations|er|ers)$`);
const YZE_AMERICAN = /^(ana|para|cata|dia|electro|hydro)lyz(e|es|ed|ing)$/;

/**
 * Every listed spelling of a lowercased word, the word itself first ("vapor": vapor, vapour; "defence":
 * defence, defense). Candidates are kept only when americanSpelling maps them back, so search widens
 * exactly as far as the merger's list does.
 */
export function spellingVariants(lower: string): string[] {
  const american = americanSpelling(lower);
  const candidates = [lower, american];
  for (const [british, us] of WORDS) if (us === american) candidates.push(british);
  const our = OUR_AMERICAN.exec(american);
  if (our) candidates.push(`${our[1] ?? ''}${our[2]}ur${our[3] ?? ''}`);
  const ize = IZE_AMERICAN.exec(american);
  if (ize) candidates.push(`${ize[1] ?? ''}${ize[2]}is${ize[3]}`);
  const yze = YZE_AMERICAN.exec(american);
  if (yze) candidates.push(`${yze[1]}lys${yze[2]}`);
  return [...new Set(candidates.filter((c) => c === lower || americanSpelling(c) === american))];
}
