import { delimiterName, readEntries, sniffFile, type FileEntry, type FileFormat, type FileLayout, type FilePosition } from '../../lambdas/domain/import-file';

async function* chunksOf(bytes: Buffer, size: number): AsyncGenerator<Uint8Array> {
  for (let i = 0; i < bytes.length; i += size) yield bytes.subarray(i, i + size);
}

/** Reads `file` from `start` (the bytes before it are not given to the reader), in chunks of `size` bytes. */
async function read(file: Buffer, format: FileFormat, start: FilePosition, size = 1 << 16): Promise<FileEntry[]> {
  const entries: FileEntry[] = [];
  for await (const entry of readEntries(chunksOf(file.subarray(start.byte), size), format, start)) entries.push(entry);
  return entries;
}

function layoutOf(file: Buffer): FileLayout {
  const sniffed = sniffFile(file, true);
  if (!sniffed.ok) throw new Error(`expected a readable file: ${sniffed.problem}`);
  return sniffed.layout;
}

async function readWhole(file: Buffer, size?: number): Promise<FileEntry[]> {
  const { format, dataStart } = layoutOf(file);
  return read(file, format, dataStart, size);
}

const CHUNK_SIZES = [1, 2, 3, 4, 5, 6, 7];

describe('sniffFile', () => {
  describe('files that cannot be read', () => {
    it('says an empty file is empty', () => {
      expect(sniffFile(Buffer.alloc(0), true)).toEqual({ ok: false, problem: 'the file is empty' });
    });

    it('says a file of only whitespace and newlines is empty', () => {
      expect(sniffFile(Buffer.from('  \n\r\n\t \n '), true)).toEqual({ ok: false, problem: 'the file is empty' });
    });

    it('says a sample of only blank lines from a bigger file starts with too many blank lines', () => {
      expect(sniffFile(Buffer.from('\n\n\n'), false)).toEqual({
        ok: false,
        problem: 'the file starts with more blank lines than can be read; remove them',
      });
    });

    it('refuses binary data containing a NUL byte', () => {
      expect(sniffFile(Buffer.from([0x50, 0x4b, 0x03, 0x04, 0x00, 0x41]), true)).toEqual({
        ok: false,
        problem: 'the file is not text (it contains binary data); upload a CSV or JSON Lines file',
      });
    });

    it.each([
      ['little-endian', [0xff, 0xfe]],
      ['big-endian', [0xfe, 0xff]],
    ])('refuses %s UTF-16 text by its byte order mark', (_endian, bom) => {
      const utf16 = Buffer.concat([Buffer.from(bom), Buffer.from('Name,Phone\n', 'utf16le')]);
      expect(sniffFile(utf16, true)).toEqual({ ok: false, problem: 'the file is UTF-16 text; save it as "CSV UTF-8" and upload it again' });
    });

    it('refuses Latin-1 text that is not valid UTF-8', () => {
      expect(sniffFile(Buffer.from('Name,Phone\nJos\xe9,2065550143\n', 'latin1'), true)).toEqual({
        ok: false,
        problem: 'the file is not UTF-8 text; save it as "CSV UTF-8" and upload it again',
      });
    });

    it('says the header is unrecognisable when the first line has only empty cells', () => {
      expect(sniffFile(Buffer.from(',,,\nAna,1\n'), true)).toEqual({ ok: false, problem: 'no recognisable header in the first line' });
    });

    it('says the header line is too long, not that the file is empty, when a partial sample has no newline', () => {
      const sample = Buffer.from(`Name,${'x'.repeat(64 * 1024)}`);
      expect(sniffFile(sample, false)).toEqual({ ok: false, problem: 'no recognisable header: the first line is longer than 64 KiB' });
    });
  });

  describe('CSV layout', () => {
    it('detects a comma-separated file and where its data starts', () => {
      expect(sniffFile(Buffer.from('First Name,Last Name,Phone\nAna,Lopez,2065550143\n'), true)).toEqual({
        ok: true,
        layout: { format: { kind: 'csv', delimiter: ',', header: ['First Name', 'Last Name', 'Phone'] }, dataStart: { byte: 27, line: 2 } },
      });
    });

    it('detects a semicolon-separated file', () => {
      expect(layoutOf(Buffer.from('Name;Phone;Note\nAna;1;a,b,c\n')).format).toEqual({ kind: 'csv', delimiter: ';', header: ['Name', 'Phone', 'Note'] });
    });

    it('detects a tab-separated file', () => {
      expect(layoutOf(Buffer.from('Name\tPhone\nAna\t1\n')).format).toEqual({ kind: 'csv', delimiter: '\t', header: ['Name', 'Phone'] });
    });

    it('ignores delimiters inside quoted header cells', () => {
      expect(layoutOf(Buffer.from('"Last, First";Phone;Zip\nx;y;z\n')).format).toEqual({
        kind: 'csv',
        delimiter: ';',
        header: ['Last, First', 'Phone', 'Zip'],
      });
    });

    it('skips a UTF-8 byte order mark', () => {
      expect(sniffFile(Buffer.from('\ufeffName,Phone\nAna,1\n'), true)).toEqual({
        ok: true,
        layout: { format: { kind: 'csv', delimiter: ',', header: ['Name', 'Phone'] }, dataStart: { byte: 14, line: 2 } },
      });
    });

    it('trims header cells', () => {
      expect(layoutOf(Buffer.from(' Name , Phone \nAna,1\n')).format).toEqual({ kind: 'csv', delimiter: ',', header: ['Name', 'Phone'] });
    });

    it('reads a header with CRLF line ends', () => {
      expect(layoutOf(Buffer.from('Name,Phone\r\nAna,1\r\n'))).toEqual({
        format: { kind: 'csv', delimiter: ',', header: ['Name', 'Phone'] },
        dataStart: { byte: 12, line: 2 },
      });
    });

    it('reads a header cell with an embedded newline in quotes, data starting on line 3', () => {
      expect(layoutOf(Buffer.from('"First\nName",Phone\nAna,1\n'))).toEqual({
        format: { kind: 'csv', delimiter: ',', header: ['First\nName', 'Phone'] },
        dataStart: { byte: 19, line: 3 },
      });
    });

    it('skips blank lines before the header and counts them', () => {
      expect(layoutOf(Buffer.from('\n\nName,Phone\nAna,1\n'))).toEqual({
        format: { kind: 'csv', delimiter: ',', header: ['Name', 'Phone'] },
        dataStart: { byte: 13, line: 4 },
      });
    });

    it('does not blame a multi-byte character cut off at the end of a partial sample', () => {
      const sample = Buffer.concat([Buffer.from('Name,Phone\nJosé,1\nJos'), Buffer.from([0xc3])]);
      expect(sniffFile(sample, false)).toEqual({
        ok: true,
        layout: { format: { kind: 'csv', delimiter: ',', header: ['Name', 'Phone'] }, dataStart: { byte: 11, line: 2 } },
      });
    });

    it('reads the header of a partial sample cut in the middle of a row', () => {
      expect(sniffFile(Buffer.from('Name,Phone\nAna,1\nBo'), false)).toEqual({
        ok: true,
        layout: { format: { kind: 'csv', delimiter: ',', header: ['Name', 'Phone'] }, dataStart: { byte: 11, line: 2 } },
      });
    });
  });

  describe('JSON Lines layout', () => {
    it('detects JSON Lines from a first line starting with {', () => {
      expect(sniffFile(Buffer.from('{"name":"Ana"}\n{"name":"Bo"}\n'), true)).toEqual({
        ok: true,
        layout: { format: { kind: 'jsonl' }, dataStart: { byte: 0, line: 1 } },
      });
    });

    it('starts JSON Lines after a byte order mark', () => {
      expect(sniffFile(Buffer.from('\ufeff  {"name":"Ana"}\n'), true)).toEqual({
        ok: true,
        layout: { format: { kind: 'jsonl' }, dataStart: { byte: 3, line: 1 } },
      });
    });
  });
});

describe('delimiterName', () => {
  it.each([
    [',', 'comma'],
    [';', 'semicolon'],
    ['\t', 'tab'],
    ['|', '"|"'],
  ])('names %j as %s', (delimiter, name) => {
    expect(delimiterName(delimiter)).toBe(name);
  });
});

describe('readEntries (CSV)', () => {
  const parts = [
    'First Name,Last Name,Phone\r\n',
    'Ana,Lopez,2065550143\r\n',
    '\r\n',
    '"Bo","Ng\r\nJr.","206-555-0144"\r\n',
    'José,"Núñez ""JJ""",2065550145\r\n',
    'Cy,Ro,206,555\r\n',
    'Di,Ek,2065550146,,\r\n',
    'Ed,Fa',
  ];
  const file = Buffer.from(parts.join(''));
  /** The byte offset just after parts[i]. */
  const endOf = (i: number) => Buffer.byteLength(parts.slice(0, i + 1).join(''));

  const expected: FileEntry[] = [
    {
      kind: 'row',
      line: 2,
      raw: 'Ana,Lopez,2065550143',
      cells: [
        ['First Name', 'Ana'],
        ['Last Name', 'Lopez'],
        ['Phone', '2065550143'],
      ],
      next: { byte: endOf(1), line: 3 },
    },
    { kind: 'blank', next: { byte: endOf(2), line: 4 } },
    {
      kind: 'row',
      line: 4,
      raw: '"Bo","Ng\r\nJr.","206-555-0144"',
      cells: [
        ['First Name', 'Bo'],
        ['Last Name', 'Ng\r\nJr.'],
        ['Phone', '206-555-0144'],
      ],
      next: { byte: endOf(3), line: 6 },
    },
    {
      kind: 'row',
      line: 6,
      raw: 'José,"Núñez ""JJ""",2065550145',
      cells: [
        ['First Name', 'José'],
        ['Last Name', 'Núñez "JJ"'],
        ['Phone', '2065550145'],
      ],
      next: { byte: endOf(4), line: 7 },
    },
    {
      kind: 'unreadable',
      line: 7,
      raw: 'Cy,Ro,206,555',
      reason: 'the row has 4 fields but the header has 3: is there an unquoted comma inside a field?',
      next: { byte: endOf(5), line: 8 },
    },
    {
      kind: 'row',
      line: 8,
      raw: 'Di,Ek,2065550146,,',
      cells: [
        ['First Name', 'Di'],
        ['Last Name', 'Ek'],
        ['Phone', '2065550146'],
      ],
      next: { byte: endOf(6), line: 9 },
    },
    {
      kind: 'row',
      line: 9,
      raw: 'Ed,Fa',
      cells: [
        ['First Name', 'Ed'],
        ['Last Name', 'Fa'],
        ['Phone', ''],
      ],
      next: { byte: endOf(7), line: 9 },
    },
  ];

  it('reads rows, blank lines and unreadable rows with the line each row starts on', async () => {
    expect(await readWhole(file)).toEqual(expected);
  });

  it('ends at the end of the file', () => {
    expect(expected.at(-1)!.next.byte).toBe(file.length);
  });

  it.each(CHUNK_SIZES)('reads the same entries when the bytes arrive %i at a time', async (size) => {
    expect(await readWhole(file, size)).toEqual(expected);
  });

  it('resumes from the next position of the second entry with exactly the remaining entries', async () => {
    const all = await readWhole(file);
    const { format } = layoutOf(file);
    const resumed = await read(file, format, all[1]!.next);
    expect(resumed).toEqual(all.slice(2));
  });

  it.each(CHUNK_SIZES)('resumes from every position with the remaining entries, %i bytes at a time', async (size) => {
    const all = await readWhole(file);
    const { format } = layoutOf(file);
    for (let i = 0; i < all.length; i++) {
      expect(await read(file, format, all[i]!.next, size)).toEqual(all.slice(i + 1));
    }
  });

  it('names the delimiter in the reason for a row with too many fields', async () => {
    const semi = Buffer.from('Name;Phone\nAna;1;2\n');
    expect(await readWhole(semi)).toEqual([
      {
        kind: 'unreadable',
        line: 2,
        raw: 'Ana;1;2',
        reason: 'the row has 3 fields but the header has 2: is there an unquoted semicolon inside a field?',
        next: { byte: 19, line: 3 },
      },
    ]);
  });

  it('fills missing trailing cells with empty strings', async () => {
    expect(await readWhole(Buffer.from('Name,Phone,Zip\nAna\n'))).toEqual([
      {
        kind: 'row',
        line: 2,
        raw: 'Ana',
        cells: [
          ['Name', 'Ana'],
          ['Phone', ''],
          ['Zip', ''],
        ],
        next: { byte: 19, line: 3 },
      },
    ]);
  });

  it('treats a line of only empty cells as blank', async () => {
    expect(await readWhole(Buffer.from('Name,Phone\n , \nAna,1\n'))).toEqual([
      { kind: 'blank', next: { byte: 15, line: 3 } },
      { kind: 'row', line: 3, raw: 'Ana,1', cells: [['Name', 'Ana'], ['Phone', '1']], next: { byte: 21, line: 4 } },
    ]);
  });

  describe('an unclosed quote at the end', () => {
    const unclosed = Buffer.from('Name,Phone\nAna,2065550143\nBo,"2065550144\nCy,1\n');
    const expectedUnclosed: FileEntry[] = [
      { kind: 'row', line: 2, raw: 'Ana,2065550143', cells: [['Name', 'Ana'], ['Phone', '2065550143']], next: { byte: 26, line: 3 } },
      {
        kind: 'unreadable',
        line: 3,
        raw: 'Bo,"2065550144\nCy,1',
        reason: 'a quote opened on line 3 is never closed, so the rest of the file from that line could not be read',
        next: { byte: 46, line: 5 },
      },
    ];

    it('makes the rest of the file one unreadable entry from the line the quote opened', async () => {
      expect(await readWhole(unclosed)).toEqual(expectedUnclosed);
    });

    it.each(CHUNK_SIZES)('is read the same %i bytes at a time', async (size) => {
      expect(await readWhole(unclosed, size)).toEqual(expectedUnclosed);
    });
  });

  it('reads rows after a header with an embedded newline from line 3', async () => {
    expect(await readWhole(Buffer.from('"First\nName",Phone\nAna,1\n'))).toEqual([
      { kind: 'row', line: 3, raw: 'Ana,1', cells: [['First\nName', 'Ana'], ['Phone', '1']], next: { byte: 25, line: 4 } },
    ]);
  });

  it('reads a tab-separated file with quoted tabs', async () => {
    expect(await readWhole(Buffer.from('Name\tNote\nAna\t"a\tb"\n'))).toEqual([
      { kind: 'row', line: 2, raw: 'Ana\t"a\tb"', cells: [['Name', 'Ana'], ['Note', 'a\tb']], next: { byte: 20, line: 3 } },
    ]);
  });

  it('gives a file with only a header no entries', async () => {
    expect(await readWhole(Buffer.from('Name,Phone\n'))).toEqual([]);
  });
});

describe('readEntries (JSON Lines)', () => {
  const parts = [
    '\ufeff{"id":"A1","name":{"first":"Ana","last":"Lopez"},"phones":["2065550143","2065550144"],"age":41,"vip":true,"note":null}\r\n',
    '\r\n',
    'not json\n',
    '[1,2]\n',
    '"just a string"\n',
    '{"name":{"first":"José"},"tags":["a",{"x":1},null,2]}\n',
    '{"name":"Ed"}',
  ];
  const file = Buffer.from(parts.join(''));
  const endOf = (i: number) => Buffer.byteLength(parts.slice(0, i + 1).join(''));
  const start = 3; // after the byte order mark

  const expected: FileEntry[] = [
    {
      kind: 'row',
      line: 1,
      raw: '{"id":"A1","name":{"first":"Ana","last":"Lopez"},"phones":["2065550143","2065550144"],"age":41,"vip":true,"note":null}',
      cells: [
        ['id', 'A1'],
        ['name.first', 'Ana'],
        ['name.last', 'Lopez'],
        ['phones', '2065550143'],
        ['phones', '2065550144'],
        ['age', '41'],
        ['vip', 'true'],
      ],
      next: { byte: endOf(0), line: 2 },
    },
    { kind: 'blank', next: { byte: endOf(1), line: 3 } },
    {
      kind: 'unreadable',
      line: 3,
      raw: 'not json',
      reason: expect.stringMatching(/^not valid JSON: /) as unknown as string,
      next: { byte: endOf(2), line: 4 },
    },
    { kind: 'unreadable', line: 4, raw: '[1,2]', reason: 'the line is not a JSON object', next: { byte: endOf(3), line: 5 } },
    { kind: 'unreadable', line: 5, raw: '"just a string"', reason: 'the line is not a JSON object', next: { byte: endOf(4), line: 6 } },
    {
      kind: 'row',
      line: 6,
      raw: '{"name":{"first":"José"},"tags":["a",{"x":1},null,2]}',
      cells: [
        ['name.first', 'José'],
        ['tags', 'a'],
        ['tags', '2'],
      ],
      next: { byte: endOf(5), line: 7 },
    },
    { kind: 'row', line: 7, raw: '{"name":"Ed"}', cells: [['name', 'Ed']], next: { byte: endOf(6), line: 7 } },
  ];

  it('detects the file as JSON Lines starting after the byte order mark', () => {
    expect(layoutOf(file)).toEqual({ format: { kind: 'jsonl' }, dataStart: { byte: start, line: 1 } });
  });

  it('flattens nested objects, repeats array values and marks bad lines unreadable', async () => {
    expect(await readWhole(file)).toEqual(expected);
    expect(expected.at(-1)!.next.byte).toBe(file.length);
  });

  it.each(CHUNK_SIZES)('reads the same entries when the bytes arrive %i at a time', async (size) => {
    expect(await readWhole(file, size)).toEqual(expected);
  });

  it('resumes from the next position of the second entry with exactly the remaining entries', async () => {
    const all = await readWhole(file);
    const resumed = await read(file, { kind: 'jsonl' }, all[1]!.next, 5);
    expect(resumed).toEqual(all.slice(2));
  });

  it('still parses a line that begins with a byte order mark when read from byte 0', async () => {
    const withBom = Buffer.from('\ufeff{"a":"1"}\n');
    expect(await read(withBom, { kind: 'jsonl' }, { byte: 0, line: 1 })).toEqual([
      { kind: 'row', line: 1, raw: '\ufeff{"a":"1"}', cells: [['a', '1']], next: { byte: 13, line: 2 } },
    ]);
  });
});
