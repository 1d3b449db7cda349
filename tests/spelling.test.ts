import { describe, expect, it } from 'vitest';
import { americanSpelling } from '../src/dedup/spelling.js';
import { terms } from '../src/dedup/tokenize.js';

describe('British and American spellings', () => {
  it('spells listed British words the American way', () => {
    const pairs = [
      ['defence', 'defense'], ['centre', 'center'], ['programme', 'program'], ['colour', 'color'], ['armoured', 'armored'],
      ['labour', 'labor'], ['neighbourhood', 'neighborhood'], ['unfavourable', 'unfavorable'], ['favourite', 'favorite'],
      ['behavioural', 'behavioral'], ['organised', 'organized'], ['organisation', 'organization'], ['criticises', 'criticizes'],
      ['recognising', 'recognizing'], ['privatisation', 'privatization'], ['prioritise', 'prioritize'], ['destabilised', 'destabilized'],
      ['analyse', 'analyze'], ['paralysed', 'paralyzed'],
    ];
    for (const [british, american] of pairs) expect(americanSpelling(british!), british).toBe(american);
  });

  it('leaves alone words that only look British', () => {
    for (const word of ['four', 'tour', 'hour', 'your', 'pour', 'flour', 'detour', 'promise', 'exercise', 'rise', 'wise', 'surprise', 'compromise', 'advertise', 'franchise', 'analysis', 'criticism', 'terrorist', 'socialist', 'realism', 'organism', 'colonist', 'journal', 'course'])
      expect(americanSpelling(word), word).toBe(word);
  });

  it('makes both spellings one term, so outlets on either side of the Atlantic share words', () => {
    expect(terms('Defence ministry says armoured units returning to the centre')).toEqual(terms('Defense ministry says armored units returning to the center'));
    expect(terms('Labour criticises the programme')).toEqual(terms('Labor criticizes the program'));
  });
});
