import type { Parsed, SongInfo } from '../providers/provider.js';

/** Songs a provider's search lists for a query, in its order (best first). Never throws for upstream trouble. */
export type SongSearch = (query: string, deadlineAt: number) => Promise<Parsed<SongInfo[]>>;

/**
 * Search results asked for. The recording sought is nearly always in the first few; more only adds decoys
 * (covers, live takes) for the matcher to refuse, and bytes to the answer.
 */
export const SEARCH_RESULTS = 10;
