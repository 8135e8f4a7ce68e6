import { listenersText, setText, songLine, stationPath } from './common.js';

const list = document.getElementById('stations');
const status = document.getElementById('status');

async function load() {
  const response = await fetch('/api/stations', { headers: { Accept: 'application/json' } });
  if (!response.ok) throw new Error(`the stations could not be read (HTTP ${response.status})`);
  const stations = await response.json();
  list.replaceChildren(
    ...stations.map((station) => {
      const item = document.createElement('li');
      const link = document.createElement('a');
      link.href = stationPath(station.name);
      setText(link, station.name);
      const now = document.createElement('p');
      setText(now, station.playing ? songLine(station.playing) : 'nothing playing');
      const listeners = document.createElement('p');
      listeners.textContent = listenersText(station.listeners);
      item.append(link, now, listeners);
      return item;
    }),
  );
  status.textContent = stations.length === 0 ? 'No stations yet.' : '';
}

load().catch((error) => {
  status.textContent = error.message;
});
