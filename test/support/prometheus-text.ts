/**
 * A strict reader of Prometheus's text exposition format 0.0.4 (prom-client has no parser of its own):
 * every line must be a HELP, a TYPE or a sample of a family whose TYPE came before it; label values must be
 * correctly quoted and escaped; values must be numbers. Anything else throws, naming the line.
 */
export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

export interface Family {
  readonly name: string;
  readonly type: string;
  readonly help: string;
  readonly samples: Sample[];
}

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL_NAME = /^[a-zA-Z_][a-zA-Z0-9_]*$/;
const TYPES = new Set(['counter', 'gauge', 'histogram', 'summary', 'untyped']);
const SUFFIXES: Record<string, readonly string[]> = { histogram: ['_bucket', '_sum', '_count'], summary: ['', '_sum', '_count'] };

export function parsePrometheusText(text: string): Map<string, Family> {
  const families = new Map<string, Family>();
  const helps = new Map<string, string>();
  const lines = text.split('\n');
  if (lines.at(-1) === '') lines.pop();
  lines.forEach((line, index) => {
    const fail = (why: string): never => {
      throw new Error(`line ${index + 1}: ${why}: ${JSON.stringify(line)}`);
    };
    if (line === '') return;
    const comment = /^# (HELP|TYPE) (\S+) ?(.*)$/.exec(line);
    if (comment) {
      const [, kind, name = '', rest = ''] = comment;
      if (!NAME.test(name)) fail('bad metric name');
      if (kind === 'HELP') helps.set(name, rest);
      else {
        if (!TYPES.has(rest)) fail('unknown type');
        if (families.has(name)) fail('second TYPE line');
        families.set(name, { name, type: rest, help: helps.get(name) ?? '', samples: [] });
      }
      return;
    }
    if (line.startsWith('#')) return;
    const sample = parseSample(line, fail);
    const family = familyOf(sample.name, families);
    if (!family) fail('sample before its TYPE');
    family!.samples.push(sample);
  });
  return families;
}

function familyOf(name: string, families: Map<string, Family>): Family | undefined {
  const exact = families.get(name);
  if (exact && !SUFFIXES[exact.type]) return exact;
  for (const family of families.values()) {
    for (const suffix of SUFFIXES[family.type] ?? []) if (`${family.name}${suffix}` === name) return family;
  }
  return undefined;
}

function parseSample(line: string, fail: (why: string) => never): Sample {
  const nameMatch = /^[a-zA-Z_:][a-zA-Z0-9_:]*/.exec(line);
  if (!nameMatch) fail('no metric name');
  const name = nameMatch![0];
  let at = name.length;
  const labels: Record<string, string> = {};
  if (line[at] === '{') {
    at += 1;
    while (line[at] !== '}') {
      const labelMatch = /^([a-zA-Z_][a-zA-Z0-9_]*)="/.exec(line.slice(at));
      if (!labelMatch || !LABEL_NAME.test(labelMatch[1]!)) fail('bad label');
      at += labelMatch![0].length;
      let value = '';
      for (;;) {
        const char = line[at];
        if (char === undefined) fail('unterminated label value');
        if (char === '"') break;
        if (char === '\\') {
          const next = line[at + 1];
          if (next === 'n') value += '\n';
          else if (next === '\\' || next === '"') value += next;
          else fail('bad escape');
          at += 2;
        } else {
          value += char;
          at += 1;
        }
      }
      at += 1;
      if (labelMatch![1]! in labels) fail('repeated label');
      labels[labelMatch![1]!] = value;
      if (line[at] === ',') at += 1;
      else if (line[at] !== '}') fail('expected , or }');
    }
    at += 1;
  }
  const rest = /^ (\S+)( -?\d+)?$/.exec(line.slice(at));
  if (!rest) fail('expected " value [timestamp]"');
  const text = rest![1]!;
  const value = text === '+Inf' ? Infinity : text === '-Inf' ? -Infinity : text === 'NaN' ? NaN : Number(text);
  if (!/^(\+Inf|-Inf|NaN|-?\d+(\.\d+)?(e[-+]?\d+)?)$/.test(text) || (Number.isNaN(value) && text !== 'NaN')) fail('bad value');
  return { name, labels, value };
}

/** The one sample of `name` whose labels include `labels`; throws when there is none or several. */
export function sampleOf(families: Map<string, Family>, name: string, labels: Record<string, string> = {}): Sample {
  const all = [...families.values()].flatMap((family) => family.samples);
  const found = all.filter((sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value));
  if (found.length !== 1) throw new Error(`${found.length} samples of ${name} ${JSON.stringify(labels)}`);
  return found[0]!;
}
