import type { HandOff } from '../../lambdas/domain/appointment';
import { handOffCsv } from '../../lambdas/handlers/hand-off-file';

const handOff = (patch: Partial<HandOff> = {}, person: Partial<HandOff['person']> = {}): HandOff => ({
  practiceId: 'sunrise-family',
  appointmentId: 'a-1',
  version: 1,
  change: 'booked',
  decidedAt: '2027-03-01T18:00:00Z',
  at: '2027-03-10T22:30:00Z',
  place: 'Pine St clinic',
  person: { contactId: 'c-1', externalId: 'MRN-7', firstName: 'Ana', lastName: 'Lopez', dateOfBirth: '1980-04-02', phone: '+12065550142', language: 'es', ...person },
  ...patch,
});
const LA = () => 'America/Los_Angeles';

describe('handOffCsv', () => {
  it('writes one line per change with the visit in the practice\'s local date and time, and what the EMR needs', () => {
    const lines = handOffCsv([handOff(), handOff({ change: 'cancelled', version: 2, decidedAt: '2027-03-02T17:00:00Z' })], LA).split('\r\n');
    expect(lines[0]).toBe('\uFEFFchange,appointment id,contact id,appointment date,appointment time,place,external id,first name,last name,date of birth,phone,language,decided at');
    expect(lines.slice(1, 3)).toEqual([
      'booked,a-1,c-1,2027-03-10,14:30,Pine St clinic,MRN-7,Ana,Lopez,1980-04-02,(206) 555-0142,es,2027-03-01T18:00:00Z',
      'cancelled,a-1,c-1,2027-03-10,14:30,Pine St clinic,MRN-7,Ana,Lopez,1980-04-02,(206) 555-0142,es,2027-03-02T17:00:00Z',
    ]);
  });

  it('neutralises cells a spreadsheet would run as formulas, and quotes commas', () => {
    const csv = handOffCsv([handOff({ place: '=HYPERLINK("x")' }, { firstName: '+Ana', lastName: 'Lopez, Jr' })], LA);
    expect(csv).toContain(`"'=HYPERLINK(""x"")",MRN-7,'+Ana,"Lopez, Jr"`);
  });
});
