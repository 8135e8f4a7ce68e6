/**
 * Text put between XML tags or inside an attribute, escaped: the five characters XML gives a meaning
 * (& < > " '). One rule for every XML relaycast writes (Icecast's config).
 */
export function escapeXml(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}
