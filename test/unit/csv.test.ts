import { csvCell, csvLine } from '../../lambdas/domain/csv';

describe('csvCell', () => {
  it.each([
    ['plain', 'plain'],
    ['Ana Lopez', 'Ana Lopez'],
    ['a,b', '"a,b"'],
    ['say "hi"', '"say ""hi"""'],
    ['line1\nline2', '"line1\nline2"'],
    ['line1\r\nline2', '"line1\r\nline2"'],
    ["O'Neil", "O'Neil"],
  ])('writes %j as %j', (value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });

  it.each([
    ['=SUM(A1:A9)', "'=SUM(A1:A9)"],
    ['+12065550143', "'+12065550143"],
    ['-2+3', "'-2+3"],
    ['@cmd', "'@cmd"],
    ['\tx', "'\tx"],
  ])('neutralises formula-like %j as %j', (value, expected) => {
    expect(csvCell(value)).toBe(expected);
  });

  it('neutralises a cell starting with a carriage return and quotes it', () => {
    expect(csvCell('\r=1+1')).toBe(`"'\r=1+1"`);
  });

  it('neutralises and quotes a formula containing a comma and quotes', () => {
    expect(csvCell('=HYPERLINK("http://x","y")')).toBe(`"'=HYPERLINK(""http://x"",""y"")"`);
  });

  it('leaves formula characters alone when they are not first', () => {
    expect(csvCell('a=b+c-d@e')).toBe('a=b+c-d@e');
  });

  it('writes numbers and booleans as text', () => {
    expect([csvCell(42), csvCell(0), csvCell(true), csvCell(false)]).toEqual(['42', '0', 'true', 'false']);
  });

  it('writes undefined and null as empty cells', () => {
    expect([csvCell(undefined), csvCell(null), csvCell('')]).toEqual(['', '', '']);
  });
});

describe('csvLine', () => {
  it('joins cells with commas and ends with CRLF', () => {
    expect(csvLine(['line', 12, 'no way to reach, sorry', undefined, '=1'])).toBe(`line,12,"no way to reach, sorry",,'=1\r\n`);
  });

  it('writes an empty row as a bare CRLF', () => {
    expect(csvLine([])).toBe('\r\n');
  });
});
