// Aligned tables for the report.
import os from 'node:os';

export function header(extra = []) {
  const cpu = os.cpus();
  const lines = [
    'beautyspot benchmark',
    `date:    ${new Date().toISOString()}`,
    `machine: ${cpu[0]?.model?.trim() ?? 'unknown cpu'}, ${cpu.length} cores, ${formatBytes(os.totalmem())} memory, ${os.type()} ${os.release()} ${os.arch()}`,
    `node:    ${process.version}`,
    ...extra,
  ];
  return lines.join('\n');
}

/**
 * A table: `columns` is a list of { title, align: 'l' | 'r' }; `rows` are arrays of strings.
 */
export function table(title, columns, rows, notes = []) {
  const widths = columns.map((c, i) => Math.max(c.title.length, ...rows.map(r => String(r[i] ?? '').length)));
  const cell = (text, i) => (columns[i].align === 'l' ? String(text).padEnd(widths[i]) : String(text).padStart(widths[i]));
  const line = cells => `  ${cells.map(cell).join('  ')}`.trimEnd();
  const out = [
    '',
    `== ${title} ==`,
    line(columns.map(c => c.title)),
    `  ${widths.map(w => '-'.repeat(w)).join('  ')}`,
    ...rows.map(line),
    ...notes.map(n => `  ${n}`),
  ];
  return out.join('\n');
}

export function us(value) {
  if (value === undefined || value === null || Number.isNaN(value)) return '-';
  if (value >= 1000) return `${(value / 1000).toFixed(2)} ms`;
  if (value >= 100) return `${value.toFixed(0)} µs`;
  if (value >= 10) return `${value.toFixed(1)} µs`;
  return `${value.toFixed(2)} µs`;
}

export function ms(value) {
  return value === undefined ? '-' : `${value.toFixed(1)} ms`;
}

export function ratio(value) {
  if (value === undefined || !Number.isFinite(value)) return '-';
  return value >= 100 ? `${value.toFixed(0)}×` : value >= 10 ? `${value.toFixed(1)}×` : `${value.toFixed(2)}×`;
}

export function pct(value) {
  return value === undefined ? '-' : `±${(value * 50).toFixed(0)}%`;
}

export function count(n) {
  return n === undefined ? '-' : n.toLocaleString('en-US');
}

export function formatBytes(n) {
  if (n < 1024) return `${n} B`;
  if (n < 1024 ** 2) return `${(n / 1024).toFixed(1)} KiB`;
  if (n < 1024 ** 3) return `${(n / 1024 ** 2).toFixed(1)} MiB`;
  return `${(n / 1024 ** 3).toFixed(1)} GiB`;
}
