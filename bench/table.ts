import type { Figure } from './figure.js';

const VERDICT: Record<Figure['verdict'], string> = { pass: 'pass', fail: 'FAIL', info: 'info', error: 'ERROR' };

/** The figures as a Markdown table, then their notes by row number. */
export function markdownTable(figures: readonly Figure[]): string {
  const rows = figures.map((figure, index) => [String(index + 1), figure.measurement, figure.name, figure.shown, figure.target, VERDICT[figure.verdict]]);
  const header = ['#', 'measurement', 'figure', 'measured', 'target', 'result'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)));
  const line = (cells: readonly string[]) => `| ${cells.map((cell, column) => cell.padEnd(widths[column] ?? 0)).join(' | ')} |`;
  const out = [line(header), `|${widths.map((width) => '-'.repeat(width + 2)).join('|')}|`, ...rows.map(line)];
  const notes = figures.flatMap((figure, index) => (figure.note ? [`${index + 1}. ${figure.note}`] : []));
  if (notes.length > 0) out.push('', 'Notes:', ...notes);
  return out.join('\n');
}
