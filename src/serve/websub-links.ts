import type { ServeContext } from './serve-context.js';

/** The hub topic feeds advertise (`<base>/websub`), or undefined when the config turns the hub off. */
export function hubUrlOf(ctx: Pick<ServeContext, 'baseUrl' | 'config'>): string | undefined {
  return ctx.config().websub.enabled ? `${ctx.baseUrl}websub` : undefined;
}

/** The Link header of a topic feed (WebSub discovery, section 4): its hub and its canonical self URL. */
export function feedLinkHeader(hub: string | undefined, self: string): string | undefined {
  return hub ? `<${hub}>; rel="hub", <${self}>; rel="self"` : undefined;
}
