export { findMatch, judge, searchQuery, MATCH_DURATION_TOLERANCE_MS, type Match, type Mismatch, type Verdict } from './matcher.js';
export { artistKey, artistKeys, foldText, titleKey, type TitleKey } from './normalise.js';
export { toSimplified, SIMPLIFIED_TABLE_SIZE } from './hanzi.js';
export { VERSION_TAGS, versionTagsOf } from './versions.js';
export { SEARCH_RESULTS, type SongSearch } from './song-search.js';
