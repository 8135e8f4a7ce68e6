import { clock, listenersText, setText, songLine } from './common.js';

const $ = (id) => document.getElementById(id);
const name = decodeURIComponent(location.pathname.split('/').filter(Boolean)[0] ?? '');
const audio = $('audio');
const button = $('play');
const playerStatus = $('player-status');

let view = null;
/** performance.now() when `view` arrived: the elapsed time moves on from there. */
let viewAt = 0;
/** The cover URL whose image did not load. */
let failedCover = null;

setText($('station-name'), name);
document.title = name;

function render() {
  const playing = view.playing;
  setText($('title'), playing ? playing.title || playing.ref : 'Nothing playing right now');
  setText($('artist'), playing ? playing.artist : '');
  setText($('album'), playing?.album ?? '');
  document.title = playing ? `${songLine(playing)} · ${view.name}` : view.name;
  showCover(playing);
  setText($('next'), songLine(view.next));
  $('listeners').textContent = listenersText(view.listeners);
  $('history').replaceChildren(
    ...view.history.map((song) => {
      const item = document.createElement('li');
      const time = document.createElement('time');
      time.dateTime = new Date(song.startedAt).toISOString();
      time.textContent = clock(song.startedAt);
      const text = document.createElement('span');
      setText(text, songLine(song));
      item.append(time, text);
      return item;
    }),
  );
  updateProgress();
}

/** The song's cover, or the placeholder when it has none or its image did not load. */
function showCover(song) {
  const cover = $('cover');
  const url = song?.coverUrl && song.coverUrl !== failedCover ? song.coverUrl : null;
  if (url) {
    cover.alt = `Cover of ${song.album || song.title || song.ref}`;
    if (cover.getAttribute('src') !== url) cover.src = url;
  } else {
    cover.removeAttribute('src');
  }
  cover.hidden = !url;
  $('cover-placeholder').hidden = Boolean(url);
}

// A cover the music service's CDN no longer serves shows the placeholder, not a broken image.
$('cover').addEventListener('error', (event) => {
  failedCover = event.target.getAttribute('src');
  showCover(view?.playing);
});

function updateProgress() {
  const progress = $('progress');
  const playing = view?.playing;
  if (!playing || !playing.durationMs) {
    progress.value = 0;
    return;
  }
  const elapsed = playing.elapsedMs + (performance.now() - viewAt);
  progress.value = Math.min(1, elapsed / playing.durationMs);
}
setInterval(updateProgress, 1000);

// EventSource reconnects by itself (after the `retry:` the server sends) and gets the current song at once.
const events = new EventSource(`/api/stations/${encodeURIComponent(name)}/events`);
events.addEventListener('now-playing', (event) => {
  view = JSON.parse(event.data);
  viewAt = performance.now();
  render();
});
events.addEventListener('station-removed', () => {
  events.close();
  setText($('title'), 'This station was removed.');
});
events.addEventListener('error', () => {
  if (events.readyState === EventSource.CLOSED) playerStatus.textContent = 'Live updates stopped: reload the page.';
});

function setPlaying(on) {
  button.setAttribute('aria-pressed', String(on));
  button.textContent = on ? 'Stop' : 'Play';
}

button.addEventListener('click', async () => {
  if (!audio.paused) {
    audio.pause();
    // A live stream keeps downloading while paused: drop it, and tune in again at the live point later.
    audio.removeAttribute('src');
    audio.load();
    setPlaying(false);
    playerStatus.textContent = '';
    return;
  }
  if (!view) return;
  audio.src = view.streamUrl;
  setPlaying(true);
  playerStatus.textContent = 'Connecting…';
  try {
    await audio.play();
  } catch (error) {
    setPlaying(false);
    playerStatus.textContent = `Cannot play the stream: ${error.message}`;
  }
});
audio.addEventListener('playing', () => {
  playerStatus.textContent = '';
});
audio.addEventListener('waiting', () => {
  playerStatus.textContent = 'Buffering…';
});
audio.addEventListener('error', () => {
  if (!audio.getAttribute('src')) return;
  setPlaying(false);
  playerStatus.textContent = 'The stream stopped: press Play to tune in again.';
});
