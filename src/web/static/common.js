// Shared by the pages: plain ES modules, no build step. Text goes in with textContent only, never as HTML.

/** The script's language of a title, so the browser picks matching glyphs (Chinese vs Japanese forms of 漢字). */
export function languageOf(text) {
  if (/[\u3040-\u30ff]/.test(text)) return 'ja';
  if (/[\uac00-\ud7af\u1100-\u11ff]/.test(text)) return 'ko';
  if (/[\u3400-\u9fff\uf900-\ufaff]/.test(text)) return 'zh';
  return '';
}

/** Sets an element's text and its lang attribute from the text. */
export function setText(element, text) {
  element.textContent = text;
  const lang = languageOf(text);
  if (lang) element.setAttribute('lang', lang);
  else element.removeAttribute('lang');
}

export function songLine(song) {
  if (!song) return '—';
  const title = song.title || song.ref;
  return song.artist ? `${song.artist} – ${title}` : title;
}

export function clock(epochMs) {
  return new Date(epochMs).toLocaleTimeString([], { hour: '2-digit', minute: '2-digit' });
}

export function listenersText(count) {
  if (count === null || count === undefined) return '';
  return count === 1 ? '1 listener' : `${count} listeners`;
}

/** The page's path of a station: its name as one path segment. */
export function stationPath(name) {
  return `/${encodeURIComponent(name)}`;
}
