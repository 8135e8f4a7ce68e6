/**
 * Words that mark a recording other than the studio original, on NetEase and QQ alike (see
 * shared/reference/music-apis.md, "Search"). Each is looked for in a title's bracketed or dashed suffix
 * ("Faded (Live)", "晴天 - DJ版") after normalisation (lower case, simplified Chinese, half-width).
 * Two songs are the same recording only if their suffixes carry the same set of tags.
 */
export const VERSION_TAGS: readonly (readonly [tag: string, pattern: RegExp])[] = [
  ['live', /\blive\b|现场|演唱会|concert|unplugged|不插电|\btour\b/],
  ['remix', /remix|\brmx\b|\bmix\b|混音|重混|\bbootleg\b|\bflip\b/],
  ['instrumental', /instrumental|\binst\b|伴奏|纯音乐|off ?vocal|演奏/],
  ['karaoke', /karaoke|\bktv\b|卡拉ok|消音/],
  ['dj', /\bdj\b|dj版|\bdjs\b/],
  ['cover', /cover|翻唱|翻自|原唱/],
  ['sped-up', /sped ?up|speed ?up|加速|nightcore|\b\d(?:\.\d+)?x\b|倍速/],
  ['slowed', /slowed|降速|减速|慢速|reverb|\b8d\b/],
  ['female', /女声|女版|女生版/],
  ['male', /男声|男版|男生版/],
  ['acoustic', /acoustic|吉他版|原声版/],
  ['piano', /piano|钢琴/],
  ['music-box', /music ?box|八音盒/],
  ['demo', /\bdemo\b|小样/],
  ['clip', /片段|铃声|ringtone|试听|preview|抖音|tiktok|完整版|full ver/],
  ['cantonese', /粤语|cantonese/],
  ['mandarin', /国语|普通话|mandarin/],
  ['english', /英文版|english ver/],
  ['japanese', /日文版|日语版|japanese ver/],
  ['chorus', /合唱版|对唱版|chorus ver|duet ver/],
  ['edit', /radio edit|\bedit\b|extended|clean|explicit|remaster|重制|重录|re-?recorded|taylor'?s version|\bver\b|version|版/],
];

/**
 * The tags of one suffix. A suffix with none of the known words still names something ("(电影《X》主题曲)",
 * "(2011)"), so it becomes a tag of its own: an unknown suffix never matches a missing one.
 */
export function versionTagsOf(suffix: string): string[] {
  const tags = VERSION_TAGS.filter(([, pattern]) => pattern.test(suffix)).map(([tag]) => tag);
  return tags.length > 0 ? tags : [`other:${suffix}`];
}
