/** One product of an import file, validated as `POST /api/products` validates its body. */
export interface ImportRow {
  name: string;
  description: string;
  price: number;
  stock: number;
}

/** A file format `ecom import products` reads: CSV with a header line, or JSON Lines. */
export type ImportFormat = 'csv' | 'jsonl';

/** What one line of an import file is: a row, nothing (blank line, CSV header), or an error (fatal: the file cannot be read on). */
export type ParsedLine = { row: ImportRow } | { skip: true } | { error: string; fatal?: true };

const MAX_MONEY = 1_000_000_000;
const COLUMNS = ['name', 'description', 'price', 'stock'] as const;

/** The format a file name implies (`.csv`; anything else is JSON Lines). */
export function formatOfFile(file: string): ImportFormat {
  return /\.csv$/i.test(file) ? 'csv' : 'jsonl';
}

function validRow(fields: Record<string, unknown>): ImportRow | string {
  const name = typeof fields.name === 'string' ? fields.name.trim() : undefined;
  if (!name || name.length > 200) return 'name: expected 1 to 200 characters';
  const description = fields.description ?? '';
  if (typeof description !== 'string' || description.length > 5000) return 'description: expected at most 5000 characters';
  const money = (value: unknown, what: string, unit: string): number | string => {
    const n = typeof value === 'string' && /^\s*-?\d+\s*$/.test(value) ? Number(value) : value;
    if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_MONEY) return `${what}: expected ${unit} from 0 to ${MAX_MONEY}`;
    return n;
  };
  const price = money(fields.price, 'price', 'integer cents');
  if (typeof price === 'string') return price;
  const stock = money(fields.stock, 'stock', 'an integer');
  if (typeof stock === 'string') return stock;
  return { name, description, price, stock };
}

/** Splits one CSV record (RFC 4180 quoting: `"a, b"`, `""` for a quote; a record is one line). */
function csvFields(line: string): string[] | string {
  const fields: string[] = [];
  let i = 0;
  for (;;) {
    if (line[i] === '"') {
      let value = '';
      i++;
      for (;;) {
        const close = line.indexOf('"', i);
        if (close < 0) return 'unterminated quoted field';
        value += line.slice(i, close);
        i = close + 1;
        if (line[i] !== '"') break;
        value += '"';
        i++;
      }
      fields.push(value);
      if (i < line.length && line[i] !== ',') return 'unexpected text after a quoted field';
    } else {
      const comma = line.indexOf(',', i);
      fields.push(line.slice(i, comma < 0 ? line.length : comma));
      i = comma < 0 ? line.length : comma;
    }
    if (i >= line.length) return fields;
    i++;
  }
}

/**
 * A line parser for one import: call it with each line (without its newline) in order. CSV files start with a header
 * naming the columns `name`, `description` (optional), `price` (integer cents) and `stock`, in any order; JSON Lines
 * hold one object with those fields per line. Blank lines are skipped.
 */
export function createLineParser(format: ImportFormat): (line: string) => ParsedLine {
  let header: string[] | undefined;
  return (raw) => {
    const line = raw.endsWith('\r') ? raw.slice(0, -1) : raw;
    if (line.trim() === '') return { skip: true };
    if (format === 'jsonl') {
      let value: unknown;
      try {
        value = JSON.parse(line);
      } catch {
        return { error: 'not valid JSON' };
      }
      if (typeof value !== 'object' || value === null || Array.isArray(value)) return { error: 'expected a JSON object' };
      const row = validRow(value as Record<string, unknown>);
      return typeof row === 'string' ? { error: row } : { row };
    }
    const fields = csvFields(line);
    if (typeof fields === 'string') return { error: fields };
    if (!header) {
      header = fields.map((f) => f.trim().toLowerCase());
      const missing = COLUMNS.filter((c) => c !== 'description' && !header!.includes(c));
      if (missing.length > 0) return { error: `header: expected the columns name, price and stock (missing ${missing.join(', ')})`, fatal: true };
      return { skip: true };
    }
    if (fields.length !== header.length) return { error: `expected ${header.length} fields, got ${fields.length}` };
    const record: Record<string, unknown> = {};
    header.forEach((column, i) => (record[column] = fields[i]));
    const row = validRow(record);
    return typeof row === 'string' ? { error: row } : { row };
  };
}
