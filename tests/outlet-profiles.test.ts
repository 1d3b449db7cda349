import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { DEMO_FEEDS } from '../scripts/demo-outlets.js';
import { ConfigError, loadConfigFile, parseConfigText } from '../src/config/load-config.js';
import { runNode } from './helpers/run-process.js';
import { startTestApp, tempDir, writeConfig } from './helpers/test-app.js';

const VALID = {
  schedule: '*/5 * * * *',
  topics: { world: { title: 'World' } },
  feeds: [
    { url: 'https://bbc.example/world.xml', title: 'BBC News: World', outlet: 'BBC News', tags: ['world'] },
    { url: 'https://wire.example/rss', title: 'Wire', tags: ['world'] },
  ],
};

function errorOf(outlets: unknown): string {
  try {
    parseConfigText(JSON.stringify({ ...VALID, outlets }), '/etc/newsmerge/feeds.config.json');
  } catch (err) {
    expect(err).toBeInstanceOf(ConfigError);
    return (err as Error).message;
  }
  throw new Error('expected a ConfigError');
}

describe('outlet profiles in feeds.config.json', () => {
  it('accepts profiles keyed by outlet (else feed title), all fields optional, codes normalized', () => {
    const config = parseConfigText(
      JSON.stringify({ ...VALID, outlets: { 'BBC News': { country: 'gb', language: 'en-gb', lean: 'center', owner: 'BBC', labels: ['public broadcaster'] }, Wire: {} } }),
      'x',
    );
    expect(config.outlets).toEqual({ 'BBC News': { country: 'GB', language: 'en-GB', lean: 'center', owner: 'BBC', labels: ['public broadcaster'] }, Wire: { labels: [] } });
    expect(parseConfigText(JSON.stringify(VALID), 'x').outlets).toEqual({});
  });

  it.each([
    [{ 'BBC News': { country: 'UK' } }, 'outlets["BBC News"].country: "UK" is not an ISO 3166-1 alpha-2 country code'],
    [{ 'BBC News': { country: 'GBR' } }, 'outlets["BBC News"].country: "GBR" is not an ISO 3166-1 alpha-2 country code'],
    [{ 'BBC News': { language: 'english' } }, 'outlets["BBC News"].language: "english" is not a BCP 47 language tag'],
    [{ 'BBC News': { language: 'en_GB' } }, 'outlets["BBC News"].language: "en_GB" is not a BCP 47 language tag'],
    [{ 'BBC News': { lean: 'centre' } }, 'outlets["BBC News"].lean: "centre" must be one of left, lean-left, center, lean-right, right'],
    [{ 'BBC News': { lean: 3 } }, 'outlets["BBC News"].lean: "3" must be one of left, lean-left, center, lean-right, right'],
    [{ 'BBC News': { owner: ' ' } }, 'outlets["BBC News"].owner: must not be empty'],
    [{ 'BBC News': { labels: 'public' } }, 'outlets["BBC News"].labels:'],
    [{ 'BBC News': { bias: 'left' } }, 'outlets["BBC News"]: unknown key "bias": a profile takes country, language, lean, owner, labels'],
    [{ 'BBC News: World': { country: 'GB' } }, 'outlets["BBC News: World"]: names no configured outlet (a feed\'s "outlet", else its "title"); configured outlets: "BBC News", "Wire"'],
    [{ 'bbc news': { country: 'GB' } }, 'outlets["bbc news"]: names no configured outlet (a feed\'s "outlet", else its "title"); did you mean "BBC News"?'],
  ])('refuses %j, naming the JSON path and the allowed values', (outlets, message) => {
    const error = errorOf(outlets);
    expect(error).toContain('/etc/newsmerge/feeds.config.json');
    expect(error).toContain(message);
  });

  it('ships profiles for every outlet of the shipped config (country, language; leans left to the operator)', () => {
    const config = loadConfigFile(join(import.meta.dirname, '../feeds.config.json'));
    const outlets = new Set(config.feeds.map((f) => f.outlet ?? f.title));
    expect(new Set(Object.keys(config.outlets))).toEqual(outlets);
    for (const profile of Object.values(config.outlets)) {
      expect(profile.country).toMatch(/^[A-Z]{2}$/);
      expect(profile.language).toBeTruthy();
      expect(profile.lean).toBeUndefined();
    }
    expect(new Set(Object.values(config.outlets).map((p) => p.country)).size).toBeGreaterThanOrEqual(8);
  });

  it('gives the demo outlets full profiles, with leans on both sides', () => {
    const outlets = Object.fromEntries(DEMO_FEEDS.map((f) => [f.title, f.profile]));
    const config = parseConfigText(JSON.stringify({ schedule: '* * * * *', topics: { world: { title: 'W' }, politics: { title: 'P' }, business: { title: 'B' }, technology: { title: 'T' }, science: { title: 'S' } }, feeds: DEMO_FEEDS.map((f) => ({ url: `http://127.0.0.1:1/outlets/${f.file}`, title: f.title, tags: f.tags })), outlets }), 'demo');
    const leans = Object.values(config.outlets).map((p) => p.lean);
    expect(leans.every(Boolean)).toBe(true);
    expect(leans.some((l) => l === 'left' || l === 'lean-left')).toBe(true);
    expect(leans.some((l) => l === 'right' || l === 'lean-right')).toBe(true);
  });

  it('refuses to start with a bad profile, naming the JSON path', async () => {
    const dir = tempDir();
    const configPath = join(dir, 'feeds.config.json');
    writeFileSync(configPath, JSON.stringify({ ...VALID, outlets: { Wire: { lean: 'far-right' } } }));
    const run = await runNode('main.js', [], { NEWSMERGE_CONFIG: configPath, NEWSMERGE_DATA: dir, PORT: '0', HOST: '127.0.0.1' });
    expect(run.code).not.toBe(0);
    expect(run.stderr).toContain('outlets.Wire.lean: "far-right" must be one of left, lean-left, center, lean-right, right');
  });

  it('opml:import reads the profiles /opml/outlets exports, keeping the ones the config has', async () => {
    const nm = await startTestApp({
      feeds: [
        { url: 'https://a.example/rss', title: 'A: World', outlet: 'Outlet A', tags: ['world'] },
        { url: 'https://b.example/rss', title: 'B', tags: ['politics'] },
      ],
      config: { outlets: { 'Outlet A': { country: 'NZ', language: 'en', lean: 'lean-left', owner: 'A & Co', labels: ['daily', 'regional'] }, B: { country: 'DE', language: 'de' } } },
    });
    const exported = join(tempDir(), 'outlets.opml');
    writeFileSync(exported, await (await nm.get('/opml/outlets')).text());
    await nm.close();
    const configPath = writeConfig(tempDir(), { feeds: [], config: { outlets: {} } });
    const run = await runNode('cli/opml-import.js', [exported], { NEWSMERGE_CONFIG: configPath });
    expect(run.code, run.stderr).toBe(0);
    const config = JSON.parse(readFileSync(configPath, 'utf8')) as { feeds: Array<Record<string, unknown>>; outlets: Record<string, unknown> };
    expect(config.feeds).toEqual([
      { url: 'https://a.example/rss', title: 'A: World', outlet: 'Outlet A', tags: ['world'] },
      { url: 'https://b.example/rss', title: 'B', tags: ['politics'] },
    ]);
    expect(config.outlets).toEqual({
      'Outlet A': { country: 'NZ', language: 'en', lean: 'lean-left', owner: 'A & Co', labels: ['daily', 'regional'] },
      B: { country: 'DE', language: 'de' },
    });
  });
});
