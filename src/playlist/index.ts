export { parseM3u, formatM3u, MAX_M3U_ENTRIES, type M3uEntry } from './m3u.js';
