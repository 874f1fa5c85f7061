import { healthDetails } from '../../lambdas/domain/health-details';
import { staffMessage } from '../../lambdas/domain/staff-message';

describe('healthDetails', () => {
  it.each([
    ['Your A1c results are in', ['a1c', 'results']],
    ['Time to refill your metformin, 500 mg', ['refill', 'metformin', 'mg']],
    ['Your HIV test came back negative', ['hiv test', 'came back negative']],
    ['We have your X-ray and MRI', ['x ray', 'mri']],
    ['Tested-Positive', ['tested positive']],
    ['Su prueba de embarazo salió bien', ['prueba de embarazo']],
    ['Su RECETA está lista', ['receta']],
    ['Le recordamos su colonoscopía', ['colonoscopia']],
    ['About your high  blood pressure', ['high blood pressure']],
    ["Your Alzheimer’s visit", ["alzheimer's"]],
  ])('finds the details in %j', (text, found) => {
    expect(healthDetails(text)).toEqual(found);
  });

  it.each([
    ['Flu shots are here, walk in Mon-Sat or book online'],
    ['It has been a while since your last visit. Call us to schedule'],
    ['Reminder, your visit is Wed, Sep 30 10:30 AM at Main St'],
    ['We welcome new patients; we take hearing aids to the clinic'],
    ['Happy birthday! Wishing you a healthy year'],
    ['Labrador Day picnic: see you there'],
    ['Ya hay vacunas contra la gripe, sin cita'],
  ])('leaves %j alone (no word of the list as a whole word)', (text) => {
    expect(healthDetails(text)).toEqual([]);
  });
});

describe('staffMessage', () => {
  const clinic = { displayName: 'Sunrise Family Clinic', callbackNumber: '+12065550143' };

  it('refuses a text naming health details, and says why and what to do instead', () => {
    expect(staffMessage(clinic, 'Your lab results are normal', 1)).toEqual({
      ok: false,
      reason: 'the text names health details ("lab", "results"): a text or voicemail may not carry a condition, a test or its result, a medication or a visit\'s reason; call the person instead',
    });
  });

  it('sends a text without them, naming the practice, its number and how to stop', () => {
    expect(staffMessage(clinic, 'Please call us back about your visit', 1)).toEqual({
      ok: true,
      body: 'Sunrise Family Clinic: Please call us back about your visit Call (206) 555-0143. Reply STOP to opt out',
    });
  });

  it('does not add the number when the text gives it already, in any format', () => {
    expect(staffMessage(clinic, 'Your forms are ready. Questions? 206.555.0143', 1)).toEqual({
      ok: true,
      body: 'Sunrise Family Clinic: Your forms are ready. Questions? 206.555.0143 Reply STOP to opt out',
    });
  });
});
