import { createHash } from 'node:crypto';
import type { AppConfig } from '../config/config-schema.js';
import { DEFAULT_TOPIC_MODEL } from '../dedup/default-topic-model.js';
import { SECTIONS } from '../dedup/section-map.js';
import { classify, type TopicModel } from '../dedup/topic-classifier.js';
import { TopicMatcher, type ClassifierTrust, type TopicFit, type TopicRules } from '../dedup/topic-fit.js';
import type { ItemTopicSource } from '../store/item-topics.js';
import type { Store } from '../store/store.js';
import { ledeText } from './item-lede.js';

/** Items whose topics one transaction of the recompute job rewrites: bounds how long it holds the write lock. */
const RECOMPUTE_BATCH = 500;

/** The config's topics as the matcher takes them. */
export function topicRulesOf(config: AppConfig): TopicRules[] {
  return Object.entries(config.topics).map(([tag, t]) => ({ tag, title: t.title, categories: t.match.categories, keywords: t.match.keywords, exclude: t.match.exclude }));
}

/**
 * Decides items' topics under one config: which configured topics each item fits and why. Feed tags and
 * topicMode play no part here (they apply at request time), so retagging a feed needs no recompute.
 */
export class ItemTopicRules {
  readonly fingerprint: string;
  private readonly matcher: TopicMatcher;
  private readonly trust: ClassifierTrust;

  constructor(config: AppConfig, private readonly model: TopicModel = DEFAULT_TOPIC_MODEL) {
    const rules = topicRulesOf(config);
    this.matcher = new TopicMatcher(rules);
    this.trust = config.classifierThreshold ?? model.thresholds;
    // Whatever changes an item's topics: the rules, the threshold, the section map and the shipped model.
    this.fingerprint = createHash('sha256')
      .update(JSON.stringify({ rules, trust: this.trust, sections: SECTIONS, model: model.meta, bias: model.bias }))
      .digest('hex')
      .slice(0, 24);
  }

  /** The topics one stored item fits. */
  fit(item: ItemTopicSource): TopicFit[] {
    let categories: string[] = [];
    try {
      const parsed: unknown = JSON.parse(item.categories);
      if (Array.isArray(parsed)) categories = parsed.filter((c): c is string => typeof c === 'string');
    } catch {
      categories = [];
    }
    const lede = ledeText({ summary: item.summary, content: item.content });
    return this.matcher.fit({ title: item.title, lede, categories, link: item.link }, classify(this.model, item.title, lede), this.trust);
  }

  /** Decides and stores the topics of these items. Call inside store.write(). */
  apply(store: Store, items: readonly ItemTopicSource[]): void {
    for (const item of items) store.topics.set(item.id, this.fit(item));
  }
}

/**
 * Brings every stored item's topics in line with the current rules after they changed (a reload, an upgrade):
 * in batches of RECOMPUTE_BATCH items per transaction, yielding between them so polls and corrections go
 * on. A newer run supersedes one still going; the fingerprint is recorded only when a run finished.
 */
export class ItemTopicsJob {
  private running: { fingerprint: string; done: Promise<number> } | null = null;
  private generation = 0;

  constructor(private readonly store: Store) {}

  /** Recomputes stored items' topics when `rules` differ from those they were computed under; resolves with how many items it rewrote. */
  run(rules: ItemTopicRules): Promise<number> {
    if (this.running?.fingerprint === rules.fingerprint) return this.running.done;
    if (!this.running && this.store.topics.fingerprint() === rules.fingerprint) return Promise.resolve(0);
    const generation = ++this.generation;
    const done = this.recompute(rules, generation).finally(() => {
      if (this.generation === generation) this.running = null;
    });
    this.running = { fingerprint: rules.fingerprint, done };
    return done;
  }

  private async recompute(rules: ItemTopicRules, generation: number): Promise<number> {
    let after = 0;
    let count = 0;
    for (;;) {
      if (generation !== this.generation) return count;
      const done = this.store.write(() => {
        const page = this.store.topics.page(after, RECOMPUTE_BATCH);
        rules.apply(this.store, page);
        count += page.length;
        if (page.length > 0) after = page[page.length - 1]!.id;
        if (page.length < RECOMPUTE_BATCH) this.store.topics.setFingerprint(rules.fingerprint);
        return page.length < RECOMPUTE_BATCH;
      });
      if (done) return count;
      await new Promise((resolve) => setImmediate(resolve));
    }
  }
}
