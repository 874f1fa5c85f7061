/**
 * Reading import files as a stream of rows with exact positions. CSV (comma, semicolon
 * or tab; quoted fields; embedded newlines; BOM; CRLF) through csv-parse, and JSON Lines.
 * Every entry carries the byte offset and line where the next one starts, so an import
 * can stop anywhere and resume with a ranged read: memory stays flat at any file size.
 */
import { parse, type CsvError } from 'csv-parse';

export type FileFormat = { readonly kind: 'csv'; readonly delimiter: string; readonly header: readonly string[] } | { readonly kind: 'jsonl' };

/** Where reading resumes: a byte offset into the object and the line number found there. */
export interface FilePosition {
  readonly byte: number;
  readonly line: number;
}

export interface FileLayout {
  readonly format: FileFormat;
  readonly dataStart: FilePosition;
}

export type FileEntry =
  | { readonly kind: 'row'; readonly line: number; readonly raw: string; readonly cells: ReadonlyArray<readonly [string, string]>; readonly next: FilePosition }
  | { readonly kind: 'unreadable'; readonly line: number; readonly raw: string; readonly reason: string; readonly next: FilePosition }
  /** Blank lines are not rows, but reading moves past them. */
  | { readonly kind: 'blank'; readonly next: FilePosition };

const DELIMITERS = [',', ';', '\t'] as const;
const DELIMITER_NAMES: Readonly<Record<string, string>> = { ',': 'comma', ';': 'semicolon', '\t': 'tab' };

/**
 * Decides what a file is from its first bytes: empty, binary, JSON Lines, or CSV with
 * which delimiter and header. `sample` must start at byte 0.
 */
export function sniffFile(sample: Buffer, sampleIsWholeFile: boolean): { ok: true; layout: FileLayout } | { ok: false; problem: string } {
  if (sample.length >= 2 && ((sample[0] === 0xff && sample[1] === 0xfe) || (sample[0] === 0xfe && sample[1] === 0xff))) {
    return { ok: false, problem: 'the file is UTF-16 text; save it as "CSV UTF-8" and upload it again' };
  }
  if (sample.includes(0)) return { ok: false, problem: 'the file is not text (it contains binary data); upload a CSV or JSON Lines file' };
  const bom = sample.subarray(0, 3).equals(Buffer.from([0xef, 0xbb, 0xbf])) ? 3 : 0;
  const lastNewline = sample.lastIndexOf(0x0a);
  if (!sampleIsWholeFile && lastNewline < 0) return { ok: false, problem: 'no recognisable header: the first line is longer than 64 KiB' };
  const decodable = sampleIsWholeFile ? sample : sample.subarray(0, lastNewline + 1);
  let text: string;
  try {
    text = new TextDecoder('utf-8', { fatal: true }).decode(decodable.subarray(bom));
  } catch {
    return { ok: false, problem: 'the file is not UTF-8 text; save it as "CSV UTF-8" and upload it again' };
  }
  if (text.trim() === '') {
    return { ok: false, problem: sampleIsWholeFile || lastNewline < 0 ? 'the file is empty' : 'the file starts with more blank lines than can be read; remove them' };
  }

  const leading = /^(?:[ \t]*\r?\n)*/.exec(text)![0];
  const firstLine = text.slice(leading.length).split(/\r?\n/, 1)[0]!;
  const startLine = 1 + (leading.match(/\n/g)?.length ?? 0);
  if (firstLine.trimStart().startsWith('{')) {
    return { ok: true, layout: { format: { kind: 'jsonl' }, dataStart: { byte: bom, line: 1 } } };
  }

  const delimiter = guessDelimiter(firstLine);
  const headerBytes = Buffer.byteLength(leading);
  const records: Array<{ cells: string[]; end: number }> = [];
  const parser = parse({ delimiter, bom: false, relax_quotes: true, relax_column_count: true, info: true, to: 1 });
  parser.on('data', (r: { record: string[]; info: { bytes: number } }) => records.push({ cells: r.record, end: r.info.bytes }));
  parser.on('error', () => undefined);
  parser.write(Buffer.from(text.slice(leading.length)));
  parser.end();
  const header = records[0]?.cells.map((h) => h.trim());
  if (!header || header.every((h) => h === '')) return { ok: false, problem: 'no recognisable header in the first line' };
  const headerEnd = bom + headerBytes + records[0]!.end;
  const headerLines = (sample.subarray(bom + headerBytes, headerEnd).toString('utf8').match(/\n/g)?.length ?? 0) || 1;
  return {
    ok: true,
    layout: { format: { kind: 'csv', delimiter, header }, dataStart: { byte: headerEnd, line: startLine + headerLines } },
  };
}

/** The delimiter that splits the header line most, counting only outside quotes. */
function guessDelimiter(line: string): string {
  const counts = new Map<string, number>(DELIMITERS.map((d) => [d, 0]));
  let quoted = false;
  for (const ch of line) {
    if (ch === '"') quoted = !quoted;
    else if (!quoted && counts.has(ch)) counts.set(ch, counts.get(ch)! + 1);
  }
  return [...counts.entries()].sort((a, b) => b[1] - a[1])[0]![0];
}

export function delimiterName(delimiter: string): string {
  return DELIMITER_NAMES[delimiter] ?? JSON.stringify(delimiter);
}

/**
 * Reads entries from `chunks` (the object's bytes from `start.byte` on). Positions in the
 * entries are absolute, so a caller can checkpoint any `next` and resume there later.
 */
export async function* readEntries(chunks: AsyncIterable<Uint8Array>, format: FileFormat, start: FilePosition): AsyncGenerator<FileEntry> {
  yield* format.kind === 'csv' ? readCsv(chunks, format, start) : readJsonLines(chunks, start);
}

/** Bytes read but not yet handed out as an entry, and the line where they begin. */
class Window {
  private buffer = Buffer.alloc(0);
  constructor(
    private offset: number,
    private line: number,
  ) {}
  append(chunk: Uint8Array): void {
    this.buffer = this.buffer.length === 0 ? Buffer.from(chunk) : Buffer.concat([this.buffer, chunk]);
  }
  /** Takes bytes up to absolute `end`: the entry's raw text, its first line, and the next position. */
  take(end: number): { raw: string; line: number; next: FilePosition } {
    const bytes = this.buffer.subarray(0, end - this.offset);
    this.buffer = this.buffer.subarray(end - this.offset);
    const text = bytes.toString('utf8');
    const leading = /^(?:[ \t]*\r?\n)*/.exec(text)![0];
    const line = this.line + (leading.match(/\n/g)?.length ?? 0);
    this.line += text.match(/\n/g)?.length ?? 0;
    this.offset = end;
    return { raw: text.slice(leading.length).replace(/\r?\n$/, ''), line, next: { byte: end, line: this.line } };
  }
  get end(): number {
    return this.offset + this.buffer.length;
  }
  get pending(): number {
    return this.buffer.length;
  }
}

async function* readCsv(chunks: AsyncIterable<Uint8Array>, format: Extract<FileFormat, { kind: 'csv' }>, start: FilePosition): AsyncGenerator<FileEntry> {
  const window = new Window(start.byte, start.line);
  const ready: FileEntry[] = [];
  const width = format.header.length;
  const parser = parse({
    delimiter: format.delimiter,
    bom: start.byte === 0,
    info: true,
    relax_quotes: true,
    relax_column_count: true,
    skip_empty_lines: false,
    skip_records_with_error: true,
    on_record: (r: unknown) => {
      const { record: cells, info } = r as { record: string[]; info: { bytes: number } };
      const { raw, line, next } = window.take(start.byte + info.bytes);
      if (cells.every((c) => c.trim() === '')) ready.push({ kind: 'blank', next });
      else if (cells.length > width && cells.slice(width).some((c) => c.trim() !== '')) {
        ready.push({
          kind: 'unreadable',
          line,
          raw,
          next,
          reason: `the row has ${cells.length} fields but the header has ${width}: is there an unquoted ${delimiterName(format.delimiter)} inside a field?`,
        });
      } else ready.push({ kind: 'row', line, raw, next, cells: format.header.map((h, i) => [h, cells[i] ?? ''] as const) });
      return null;
    },
    on_skip: (err: CsvError | undefined) => {
      const { raw, line, next } = window.take(window.end);
      const reason =
        err?.code === 'CSV_QUOTE_NOT_CLOSED'
          ? `a quote opened on line ${line} is never closed, so the rest of the file from that line could not be read`
          : `the row could not be parsed: ${err?.message ?? 'unknown error'}`;
      ready.push({ kind: 'unreadable', line, raw, next, reason });
      return undefined;
    },
  });
  parser.resume();
  const ended = new Promise<void>((resolve, reject) => {
    parser.on('end', resolve);
    parser.on('error', reject);
  });

  for await (const chunk of chunks) {
    window.append(chunk);
    parser.write(chunk);
    yield* ready.splice(0);
  }
  parser.end();
  await ended;
  yield* ready.splice(0);
}

async function* readJsonLines(chunks: AsyncIterable<Uint8Array>, start: FilePosition): AsyncGenerator<FileEntry> {
  const window = new Window(start.byte, start.line);
  let scanned = start.byte;
  const entry = (end: number): FileEntry => {
    const { raw, line, next } = window.take(end);
    if (raw.trim() === '') return { kind: 'blank', next };
    let value: unknown;
    try {
      value = JSON.parse(raw.replace(/^\uFEFF/, ''));
    } catch (e) {
      return { kind: 'unreadable', line, raw, next, reason: `not valid JSON: ${(e as Error).message}` };
    }
    if (!value || typeof value !== 'object' || Array.isArray(value)) return { kind: 'unreadable', line, raw, next, reason: 'the line is not a JSON object' };
    return { kind: 'row', line, raw, next, cells: flattenObject(value as Record<string, unknown>) };
  };
  for await (const chunk of chunks) {
    window.append(chunk);
    for (let i = 0; i < chunk.length; i++) {
      if (chunk[i] === 0x0a) yield entry(scanned + i + 1);
    }
    scanned += chunk.length;
  }
  if (window.pending > 0) yield entry(window.end);
}

/** {"name": {"first": "Ana"}, "phones": ["…", "…"]} → [["name.first","Ana"], ["phones","…"], ["phones","…"]]. */
function flattenObject(obj: Record<string, unknown>, prefix = ''): Array<readonly [string, string]> {
  return Object.entries(obj).flatMap(([key, value]): Array<readonly [string, string]> => {
    const name = prefix ? `${prefix}.${key}` : key;
    if (value === null || value === undefined) return [];
    if (Array.isArray(value)) return value.filter((v) => v !== null && typeof v !== 'object').map((v) => [name, String(v)] as const);
    if (typeof value === 'object') return flattenObject(value as Record<string, unknown>, name);
    return [[name, String(value)]];
  });
}
