import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { sanitizeContent } from '../src/ingest/html-text.js';
import { FixtureServer } from './helpers/fixture-server.js';
import { startTestApp, type TestApp } from './helpers/test-app.js';

const HOSTILE = `<p onclick="steal()" style="position:fixed">Hello <b>world</b></p>
<script>alert(1)</script><style>body{display:none}</style>
<a href="javascript:alert(1)">js link</a> <a href="/related/story?id=7">relative link</a> <a href="//cdn.example/x">protocol-relative</a>
<img src="data:image/png;base64,AAAA" onerror="x()"><img src="images/photo.jpg" alt="Photo">
<iframe src="https://evil.example/frame"></iframe><form action="https://evil.example"><input name="password"><button>Go</button></form>
<object data="x.swf"></object><embed src="x.swf"><svg onload="x()"><circle/></svg>
<a href="https://ok.example/page" target="_blank">absolute</a>`;

describe('sanitizing outlet HTML', () => {
  it('removes scripts, styles, handlers, dangerous URLs, frames and forms, and makes links absolute', () => {
    const clean = sanitizeContent(HOSTILE, 'https://outlet.example/news/2022/story.html');
    for (const banned of ['<script', 'alert(1)', '<style', 'display:none', 'onclick', 'onerror', 'onload', 'javascript:', 'data:', '<iframe', '<form', '<input', 'password', '<object', '<embed', '<svg', 'style=']) {
      expect(clean, banned).not.toContain(banned);
    }
    expect(clean).toContain('<p>Hello <b>world</b></p>');
    expect(clean).toContain('href="https://outlet.example/related/story?id=7"');
    expect(clean).toContain('href="https://cdn.example/x"');
    expect(clean).toContain('src="https://outlet.example/news/2022/images/photo.jpg"');
    expect(clean).toContain('<a href="https://ok.example/page" rel="noopener noreferrer">absolute</a>');
  });

  describe('before anything is stored or served', () => {
    let outlet: FixtureServer;
    let nm: TestApp;

    beforeAll(async () => {
      outlet = await new FixtureServer().start();
      const item = `<item><title>A &lt;script&gt;alert(1)&lt;/script&gt; headline with tags</title><link>https://outlet.example/a/b/story</link><guid>s1</guid>
        <pubDate>Thu, 17 Feb 2022 10:00:00 GMT</pubDate><content:encoded><![CDATA[${HOSTILE}]]></content:encoded><description>Plain summary</description></item>`;
      outlet.routes.set('/feed', { body: `<?xml version="1.0"?><rss version="2.0" xmlns:content="http://purl.org/rss/1.0/modules/content/"><channel><title>x</title>${item}</channel></rss>` });
      nm = await startTestApp({ feeds: [{ url: outlet.url('/feed'), title: 'Hostile outlet', tags: ['world'] }] });
      await nm.pollAll();
    });

    afterAll(async () => {
      await nm.close();
      await outlet.close();
    });

    it('stores only sanitized HTML and serves it in every format', async () => {
      const stored = nm.app.store.db.prepare('SELECT title, content FROM items').get() as { title: string; content: string };
      expect(stored.content).not.toMatch(/<script|javascript:|onclick|<iframe|<form/);
      expect(stored.content).toContain('href="https://outlet.example/related/story?id=7"');
      expect(stored.title).toBe('A headline with tags');
      for (const ext of ['rss', 'atom', 'json']) {
        const body = await (await nm.get(`/topics/world.${ext}`)).text();
        expect(body, ext).not.toMatch(/<script|javascript:|onclick=|<iframe|onerror/i);
      }
      const { stories } = await nm.json<{ stories: Array<{ id: number }> }>('/api/stories');
      const page = await (await nm.get(`/stories/${stories[0]!.id}`)).text();
      expect(page).not.toMatch(/<script(?! )|javascript:|onclick=/);
    });
  });
});
