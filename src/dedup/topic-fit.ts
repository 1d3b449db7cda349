import { filedUnder, nameVariants, normalizeSection, SECTIONS } from './section-map.js';
import type { ClassifierClass, Prediction } from './topic-classifier.js';
import { terms } from './tokenize.js';

/** A topic as the config defines it, with its own rules (feeds.config.json `topics.<tag>.match`). */
export interface TopicRules {
  tag: string;
  title: string;
  /** Category or section names that put an item in the topic, on top of its default section's names. */
  categories: readonly string[];
  /** Words or phrases of headline or lede that put an item in the topic (stemmed, case-insensitive). */
  keywords: readonly string[];
  /** Words or phrases (of headline or lede) and category names that keep an item out, whatever else says. */
  exclude: readonly string[];
}

/** What put an item in a topic: its outlet's section, the topic's rules, or the classifier. */
export type EvidenceKind = 'section' | 'rule' | 'classifier';

/** One topic an item fits, and why. */
export interface TopicFit {
  tag: string;
  evidence: EvidenceKind;
  /** Human-readable: `category "Economy"`, `link /business/`, `keyword "merger"`, `business 0.93`. */
  detail: string;
}

/** The stored or parsed facts of an item that its topics are decided from. */
export interface ItemFacts {
  title: string;
  lede: string;
  categories: readonly string[];
  link: string | null;
}

interface CompiledTopic {
  tag: string;
  sectionNames: Set<string>;
  ruleNames: Set<string>;
  keywords: string[][];
  excludePhrases: string[][];
  excludeNames: Set<string>;
  classes: Set<ClassifierClass>;
}

/** How far the classifier is trusted: one threshold for every class, or the model's per-class ones. */
export type ClassifierTrust = number | Readonly<Record<ClassifierClass, number>>;

const phrase = (text: string): string[] => terms(text);

/**
 * The config's topics compiled for matching items: each topic's section names (its tag, title and
 * match.categories, and the default map's names of the section they name), stemmed keyword phrases and exclusions.
 */
export class TopicMatcher {
  private readonly topics: CompiledTopic[];
  /** Every name that says which section an item is in: an item filed under none is left to the classifier. */
  private readonly known = new Set<string>();

  constructor(rules: readonly TopicRules[]) {
    for (const section of Object.values(SECTIONS)) for (const name of section.names) this.known.add(name);
    this.topics = rules.map((r) => {
      const own = [r.tag, r.title].map(normalizeSection).filter(Boolean);
      const ruleNames = new Set(r.categories.map(normalizeSection).filter(Boolean));
      const sectionNames = new Set(own);
      const classes = new Set<ClassifierClass>();
      for (const section of Object.values(SECTIONS)) {
        if (![...own, ...ruleNames].some((name) => nameVariants(name).some((n) => section.aliases.includes(n)))) continue;
        for (const name of section.names) sectionNames.add(name);
        if (section.classifierClass) classes.add(section.classifierClass);
      }
      for (const name of [...sectionNames, ...ruleNames]) this.known.add(name);
      const excludeNames = new Set(r.exclude.map(normalizeSection).filter(Boolean));
      return {
        tag: r.tag,
        sectionNames,
        ruleNames,
        keywords: r.keywords.map(phrase).filter((p) => p.length > 0),
        excludePhrases: r.exclude.map(phrase).filter((p) => p.length > 0),
        excludeNames,
        classes,
      };
    });
  }

  /**
   * The topics an item fits, strongest evidence first per topic: its outlet's section (a category or a link
   * path section), the topic's rules (match.categories, match.keywords), and only for an item filed under no
   * known section, the classifier's prediction when it is trusted. A topic's exclude wins over all of them.
   */
  fit(item: ItemFacts, prediction: Prediction | null, trust: ClassifierTrust): TopicFit[] {
    const filed = filedUnder(item.categories, item.link);
    const byName = new Map<string, string>();
    for (const name of filed.categories) for (const n of nameVariants(name)) if (!byName.has(n)) byName.set(n, `category "${name}"`);
    for (const name of filed.path) for (const n of nameVariants(name)) if (!byName.has(n)) byName.set(n, `link /${name}/`);
    const hasSection = [...byName.keys()].some((n) => this.known.has(n));
    const titleTerms = terms(item.title);
    const ledeTerms = terms(item.lede);
    const says = (p: readonly string[]) => containsPhrase(titleTerms, p) || containsPhrase(ledeTerms, p);
    const fits: TopicFit[] = [];
    for (const topic of this.topics) {
      if ([...byName.keys()].some((n) => topic.excludeNames.has(n)) || topic.excludePhrases.some(says)) continue;
      const section = [...byName].find(([n]) => topic.sectionNames.has(n));
      if (section) {
        fits.push({ tag: topic.tag, evidence: 'section', detail: section[1] });
        continue;
      }
      const ruleName = [...byName].find(([n]) => topic.ruleNames.has(n));
      if (ruleName) {
        fits.push({ tag: topic.tag, evidence: 'rule', detail: ruleName[1] });
        continue;
      }
      const keyword = topic.keywords.find(says);
      if (keyword) {
        fits.push({ tag: topic.tag, evidence: 'rule', detail: `keyword "${keyword.join(' ')}"` });
        continue;
      }
      if (!hasSection && prediction && topic.classes.has(prediction.label)) {
        const threshold = typeof trust === 'number' ? trust : trust[prediction.label];
        if (prediction.confidence > threshold) fits.push({ tag: topic.tag, evidence: 'classifier', detail: `${prediction.label} ${prediction.confidence.toFixed(2)}` });
      }
    }
    return fits;
  }
}

/** True when `phrase` occurs in `words` as consecutive terms. */
function containsPhrase(words: readonly string[], phrase: readonly string[]): boolean {
  outer: for (let i = 0; i + phrase.length <= words.length; i++) {
    for (let j = 0; j < phrase.length; j++) if (words[i + j] !== phrase[j]) continue outer;
    return true;
  }
  return false;
}
