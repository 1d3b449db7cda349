import model from './topic-model.json' with { type: 'json' };
import type { TopicModel } from './topic-classifier.js';

/** The topic classifier shipped with newsmerge, trained by scripts/train-topics.ts on AG News (docs/topics.md). */
export const DEFAULT_TOPIC_MODEL: TopicModel = model as TopicModel;
