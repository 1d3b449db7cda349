/**
 * English function words and newsroom boilerplate ("said", "report") that occur in stories about any event:
 * they would make unrelated items look alike, so they never count as terms.
 */
export const STOP_WORDS: ReadonlySet<string> = new Set(
  (
    'a about above after again against all almost also am among an and any are as at be because been before being ' +
    'below between both but by can cannot could did do does doing done down during each either else ever every few ' +
    'for from further get gets got had has have having he her here hers herself him himself his how however i if in ' +
    'into is it its itself just least less let like made make many may me might more most much must my myself ' +
    'neither no nor not now of off often on once only or other others our ours ourselves out over own per perhaps ' +
    'quite rather really same several shall she should since so some such than that the their theirs them ' +
    'themselves then there these they this those though through thus to too under until up upon us very via was we ' +
    'were what whatever when where whether which while who whom whose why will with within without would yet you ' +
    'your yours yourself yourselves ' +
    // Reporting verbs and newsroom words: every outlet writes them about every event.
    'according amid announced announces asked says said say saying told tells tell week weeks year years day days ' +
    'monday tuesday wednesday thursday friday saturday sunday today yesterday tomorrow tonight morning night ' +
    'report reported reports reportedly news new latest update updates updated live breaking watch video ' +
    'exclusive read reuters ap afp inc mr mrs ms dr one two first last still already back going'
  ).split(/\s+/).filter(Boolean),
);
