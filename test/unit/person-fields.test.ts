import {
  calendarDate,
  emailAddress,
  languageCode,
  nameKey,
  splitFullName,
  stateCode,
  tagList,
  tidyName,
  yesNo,
  zipCode,
} from '../../lambdas/domain/person-fields';

describe('tidyName', () => {
  it.each([
    ['MARY', 'Mary'],
    ['mary', 'Mary'],
    ["O'NEIL", "O'Neil"],
    ["o'neil", "O'Neil"],
    ['MARY-ANN', 'Mary-Ann'],
    ['mary-ann', 'Mary-Ann'],
    ['van der berg', 'Van Der Berg'],
    ['JOSÉ', 'José'],
    ['émile', 'Émile'],
    ['d’arcy', 'D’Arcy'],
    ['j.r.', 'J.R.'],
    ['  MARY   ANN  ', 'Mary Ann'],
  ])('title-cases %j (all one case) as %j', (raw, expected) => {
    expect(tidyName(raw)).toBe(expected);
  });

  it.each([['McDonald'], ['DeShawn'], ["O'Neil"], ['van Gogh']])('keeps mixed-case %j as written', (raw) => {
    expect(tidyName(raw)).toBe(raw);
  });

  it('collapses runs of spaces in a mixed-case name', () => {
    expect(tidyName('  Mary   McDonald ')).toBe('Mary McDonald');
  });

  it('keeps "  mary  ANN " in its mixed case, only folding the spaces', () => {
    expect(tidyName('  mary  ANN ')).toBe('mary ANN');
  });

  it.each([[''], ['   '], [undefined]])('returns undefined for %j', (raw) => {
    expect(tidyName(raw)).toBeUndefined();
  });
});

describe('splitFullName', () => {
  it('reads "Last, First Middle"', () => {
    expect(splitFullName('Garcia, Maria Elena')).toEqual({ first: 'Maria', middle: 'Elena', last: 'Garcia' });
  });

  it('reads "First Middle Last"', () => {
    expect(splitFullName('Maria Elena Garcia')).toEqual({ first: 'Maria', middle: 'Elena', last: 'Garcia' });
  });

  it('reads "First Last" with no middle name', () => {
    expect(splitFullName('Maria Garcia')).toEqual({ first: 'Maria', middle: undefined, last: 'Garcia' });
  });

  it('keeps a suffix with the last name rather than taking it as the last name', () => {
    expect(splitFullName('John Smith Jr.')).toEqual({ first: 'John', middle: undefined, last: 'Smith Jr.' });
  });

  it('keeps a suffix with the last name after a middle name', () => {
    expect(splitFullName('Maria Elena Garcia Jr.')).toEqual({ first: 'Maria', middle: 'Elena', last: 'Garcia Jr.' });
  });

  it('reads "Last, First" with no middle name', () => {
    expect(splitFullName('Smith, John')).toEqual({ first: 'John', middle: undefined, last: 'Smith' });
  });

  it('does not take the suffix in "Smith, John Jr." as a middle name', () => {
    expect(splitFullName('Smith, John Jr.')).toEqual({ first: 'John', middle: undefined, last: 'Smith Jr.' });
  });

  it('takes a single word as a first name', () => {
    expect(splitFullName('Cher')).toEqual({ first: 'Cher' });
  });
});

describe('nameKey', () => {
  it('folds accents so "María José" matches "Maria Jose"', () => {
    expect(nameKey('María José', 'Núñez')).toBe(nameKey('Maria Jose', 'Nunez'));
    expect(nameKey('María José', 'Núñez')).toBe('mariajose|nunez');
  });

  it('ignores case, spaces and punctuation', () => {
    expect(nameKey("O'Neil-Smith", ' Mary Ann ')).toBe(nameKey('oneilsmith', 'MARYANN'));
    expect(nameKey("O'Neil-Smith", ' Mary Ann ')).toBe('oneilsmith|maryann');
  });

  it('keeps first and last apart', () => {
    expect(nameKey('Ann', 'Lee')).not.toBe(nameKey('Lee', 'Ann'));
  });

  it('reads a missing part as empty', () => {
    expect(nameKey(undefined, 'Lee')).toBe('|lee');
    expect(nameKey('Ann', undefined)).toBe('ann|');
  });

  it('gives different non-Latin names different keys', () => {
    expect(nameKey('Иван', 'Петров')).not.toBe(nameKey('Мария', 'Петрова'));
  });
});

describe('stateCode', () => {
  it.each([
    ['wa', 'WA'],
    ['WA', 'WA'],
    ['WA.', 'WA'],
    ['Washington', 'WA'],
    ['new york', 'NY'],
    ['District of Columbia', 'DC'],
    ['Puerto Rico', 'PR'],
    [' tx ', 'TX'],
  ])('reads %j as %s', (raw, expected) => {
    expect(stateCode(raw)).toBe(expected);
  });

  it.each([['ZZ'], ['Narnia'], [''], [undefined]])('returns undefined for %j', (raw) => {
    expect(stateCode(raw)).toBeUndefined();
  });
});

describe('zipCode', () => {
  it.each([
    ['98101', '98101'],
    ['2134', '02134'],
    ['02134', '02134'],
    ['98101-1234', '98101-1234'],
    ['981011234', '98101-1234'],
    ['21341234', '02134-1234'],
    [' 98101 ', '98101'],
  ])('reads %j as %s', (raw, expected) => {
    expect(zipCode(raw)).toBe(expected);
  });

  it.each([['123'], ['981012'], ['9810112345'], ['ABCDE'], [undefined]])('returns undefined for %j', (raw) => {
    expect(zipCode(raw)).toBeUndefined();
  });
});

describe('languageCode', () => {
  it.each([
    ['Spanish', 'es'],
    ['Español', 'es'],
    ['es', 'es'],
    ['es-MX', 'es'],
    ['ES_mx', 'es'],
    ['English', 'en'],
    ['Haitian Creole', 'ht'],
    ['Kreyòl', 'ht'],
    ['Tiếng Việt', 'vi'],
    ['zh-Hant', 'zh'],
    ['Mandarin', 'zh'],
    ['Français', 'fr'],
    ['English (US)', 'en'],
    ['Chinese (Mandarin)', 'zh'],
    ['Portuguese - Brazil', 'pt'],
    ['Spanish/English', 'es'],
    ['Spanish, English', 'es'],
  ])('reads %j as %s', (raw, expected) => {
    expect(languageCode(raw)).toBe(expected);
  });

  it.each([['Klingon'], [''], ['  '], [undefined], ['ASL'], ['(US)']])('returns undefined for %j', (raw) => {
    expect(languageCode(raw)).toBeUndefined();
  });
});

describe('yesNo', () => {
  it.each([['Y'], ['yes'], ['TRUE'], ['t'], ['1'], ['x'], ['Opted In'], ['opt-in'], ['si'], ['Sí'], ['OK'], ['consented']])(
    'reads %j as yes',
    (raw) => {
      expect(yesNo(raw)).toBe(true);
    },
  );

  it.each([['N'], ['no'], ['False'], ['f'], ['0'], ['Opted Out'], ['opt-out'], ['declined'], ['Refused'], ['none']])('reads %j as no', (raw) => {
    expect(yesNo(raw)).toBe(false);
  });

  it.each([[''], ['  '], [undefined]])('reads %j as silent (undefined)', (raw) => {
    expect(yesNo(raw)).toBeUndefined();
  });

  it.each([['maybe'], ['2'], ['unknown']])('reads %j as unreadable', (raw) => {
    expect(yesNo(raw)).toBe('unreadable');
  });
});

describe('calendarDate', () => {
  const today = new Date('2026-03-01T12:00:00Z');

  it.each([
    ['2024-03-09', '2024-03-09'],
    ['2024-3-9', '2024-03-09'],
    ['2024-03-09T10:00:00Z', '2024-03-09'],
    ['2024-03-09 10:00', '2024-03-09'],
    ['03/09/2024', '2024-03-09'],
    ['3/9/2024', '2024-03-09'],
    ['3-9-2024', '2024-03-09'],
    ['3.9.2024', '2024-03-09'],
    ['20240309', '2024-03-09'],
    ['2024-02-29', '2024-02-29'],
    [' 2024-03-09 ', '2024-03-09'],
  ])('reads %j as %s', (raw, expected) => {
    expect(calendarDate(raw, today)).toBe(expected);
  });

  describe('a date in the past (a birth, a visit)', () => {
    it('takes a two-digit year as this century when that date is not after today', () => {
      expect(calendarDate('3/9/24', today, 'past')).toBe('2024-03-09');
      expect(calendarDate('1/1/26', today, 'past')).toBe('2026-01-01');
      expect(calendarDate('3/1/26', today, 'past')).toBe('2026-03-01');
    });

    it('takes a two-digit year as last century when this century would be after today, by date and not only by year', () => {
      expect(calendarDate('3/9/55', today, 'past')).toBe('1955-03-09');
      expect(calendarDate('3/9/27', today, 'past')).toBe('1927-03-09');
      expect(calendarDate('12/31/26', today, 'past')).toBe('1926-12-31');
      expect(calendarDate('3/2/26', today, 'past')).toBe('1926-03-02');
    });

    it.each([['2026-03-02'], ['03/02/2026'], ['20301231']])('refuses %j, after today', (raw) => {
      expect(calendarDate(raw, today, 'past')).toBeUndefined();
    });
  });

  describe('a date that may be ahead (a recall, a due date)', () => {
    it('takes a two-digit year as the one nearest today', () => {
      expect(calendarDate('12/31/26', today)).toBe('2026-12-31');
      expect(calendarDate('3/9/27', today)).toBe('2027-03-09');
      expect(calendarDate('3/9/24', today)).toBe('2024-03-09');
      expect(calendarDate('3/9/76', today)).toBe('2076-03-09');
      expect(calendarDate('3/9/77', today)).toBe('1977-03-09');
    });

    it('keeps a four-digit year after today', () => {
      expect(calendarDate('2030-12-31', today)).toBe('2030-12-31');
    });
  });

  it.each([['02/30/2024'], ['2024-02-30'], ['2023-02-29'], ['13/01/2024'], ['00/10/2024'], ['20241301']])('rejects impossible date %j', (raw) => {
    expect(calendarDate(raw, today)).toBeUndefined();
  });

  it.each([['March 9, 2024'], ['yesterday'], [''], [undefined], ['2024/03/09']])('returns undefined for unreadable %j', (raw) => {
    expect(calendarDate(raw, today)).toBeUndefined();
  });
});

describe('tagList', () => {
  it('splits on semicolons, commas and bars, lower-cased and trimmed', () => {
    expect(tagList('Diabetes; Spanish speakers | staff')).toEqual(['diabetes', 'spanish speakers', 'staff']);
    expect(tagList('a,b')).toEqual(['a', 'b']);
  });

  it('drops empty pieces and duplicates, collapsing inner spaces', () => {
    expect(tagList(' Flu  Shot ;; flu shot |,')).toEqual(['flu shot']);
  });

  it('returns no tags for an empty or missing cell', () => {
    expect(tagList('')).toEqual([]);
    expect(tagList(undefined)).toEqual([]);
  });
});

describe('emailAddress', () => {
  it('trims and lower-cases a readable address', () => {
    expect(emailAddress(' Ana.Lopez@Example.COM ')).toBe('ana.lopez@example.com');
  });

  it.each([['ana@example'], ['ana example.com'], ['ana @example.com'], ['@example.com'], ['ana@@example.com'], ['ana@example.c'], [''], [undefined]])(
    'refuses %j',
    (raw) => {
      expect(emailAddress(raw)).toBeUndefined();
    },
  );
});
