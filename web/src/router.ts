/**
 * A history router in a few lines: the app has six flat routes, so a router package would cost bytes for nothing.
 * `navigate` pushes a URL and tells every `useLocation` subscriber; `<a>` clicks on same-origin links are
 * intercepted once, at the document, so ordinary anchors work (and stay keyboard- and middle-click friendly).
 */
import { useEffect, useState } from 'preact/hooks';

const CHANGE = 'aisyst:navigate';

export function navigate(to: string, options: { replace?: boolean } = {}): void {
  if (options.replace) history.replaceState(null, '', to);
  else history.pushState(null, '', to);
  window.dispatchEvent(new Event(CHANGE));
  window.scrollTo(0, 0);
}

export function useLocation(): URL {
  const [url, setUrl] = useState(() => new URL(location.href));
  useEffect(() => {
    const update = () => setUrl(new URL(location.href));
    window.addEventListener(CHANGE, update);
    window.addEventListener('popstate', update);
    return () => {
      window.removeEventListener(CHANGE, update);
      window.removeEventListener('popstate', update);
    };
  }, []);
  return url;
}

export function interceptLinkClicks(): void {
  document.addEventListener('click', (event) => {
    if (
      event.defaultPrevented ||
      event.button !== 0 ||
      event.metaKey ||
      event.ctrlKey ||
      event.shiftKey ||
      event.altKey
    )
      return;
    const anchor = (event.target as Element | null)?.closest?.('a');
    if (!anchor || anchor.target || anchor.hasAttribute('download')) return;
    const url = new URL(anchor.href, location.href);
    if (url.origin !== location.origin || anchor.dataset.external !== undefined) return;
    event.preventDefault();
    navigate(url.pathname + url.search + url.hash);
  });
}
