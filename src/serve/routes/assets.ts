import { Hono } from 'hono';

/** The site icon: an "N" on the pages' accent colour. */
const FAVICON_SVG = '<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 32 32"><rect width="32" height="32" rx="7" fill="#0b57d0"/><path fill="#fff" d="M8 25V7h3.6l8.8 11.6V7H24v18h-3.6l-8.8-11.6V25z"/></svg>';

// FAVICON_SVG rendered at 32x32 (Chromium) inside an ICO: feed readers and old browsers ask for
// /favicon.ico whatever a page links, and not all of them read SVG.
const FAVICON_ICO_BASE64 =
  'AAABAAEAICAAAAEAIACYAgAAFgAAAIlQTkcNChoKAAAADUlIRFIAAAAgAAAAIAgGAAAAc3p69AAAAk1JREFUeJzEl0toE0EYx/8zWVPzUBuUxlolmpMI1kY89KIHPUg8iUiqovWBD/CgqPgAjx4EC4qI0oMgFA81HhpBUC8ePFUQGgNKT7EVqk0RTTBNmjSb6Xx9hOyhhdlsdn+X/WZ22P+f75v9dkdDPYdHWr0t7JqMuplAFxjaYAUCU4IhKaPhQkk8QiKSXbrFlgJvTyoK6M8Z2CY0EQHxC3CdL7zqfFcz4IslD8roPWxEgB8iEwwnUgFvRf/GGGuHjVAmClX3Ts2j66ftFieo1B5e7tU4WDccgrS5TIVjBkhbk6kIrbQoP7irFk/lKthzYxR/8/qy659c2IyzB9bXxv5jX5ddS9ocCrSt0/Dy+lYwBstQMkDs2+HH3aMbYRXKBojbR4LY37kGVmDKAJVg4GoI7YFVaBRTBohWnwvxm9vgMv0EEwYy2YphHAl7cP9UBxpBycDbLzkMDecMc5ejGxDdvRZmUU7gxWfjGJ0oGeZeXAkhHHTDDEoGaPMVywKxB2kUStXavH81R/xWGG5NvUGY2kLpTFlm4qdhbntHC55e2iLbaxMNiLqnJz7n0P/hj+H+8b0B5f2gXIJ67gxMYCRdNMyp9oaG3uKK/CbF+n4gO63DLA22EeD3v1n0Ph43lMdWA8TH1H/0JTIwgyUGiHvxSXz6nocqlhmgEpx8ODb/06IC8/UkJ+U1CGfIcOk8CYcgbflT6qABkAEu+mWUhd1ITdLmM4ORsarAOdiMYPwMac+/BcXXXUN0Vls4ODZZWGosngvf0NjY3R04ns8BAAD//1LeSLgAAAAGSURBVAMAiTjEgqBr1rEAAAAASUVORK5CYII=';

// The icon changes only with a release; a week keeps repeat visits from asking again.
const ICON_CACHE_CONTROL = 'public, max-age=604800';

/** /favicon.svg (linked from every page) and /favicon.ico, cached for a week. */
export function assetRoutes(): Hono {
  const app = new Hono();
  const ico = Buffer.from(FAVICON_ICO_BASE64, 'base64');
  app.get('/favicon.svg', (c) => c.body(FAVICON_SVG, 200, { 'Content-Type': 'image/svg+xml', 'Cache-Control': ICON_CACHE_CONTROL }));
  app.get('/favicon.ico', (c) => c.body(new Uint8Array(ico), 200, { 'Content-Type': 'image/x-icon', 'Cache-Control': ICON_CACHE_CONTROL }));
  return app;
}
