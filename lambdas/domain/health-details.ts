/**
 * Words that would put a person's health in a text or voicemail: a condition, a test or its
 * result, a medication, a visit's reason (compliance: no protected health information in SMS
 * or voicemail). Templates cannot carry such details through their fields (there are none),
 * but their fixed words and staff's free text can: this screens both.
 *
 * A list, so a screen against slips rather than a guarantee: it is meant to stop "your
 * A1c results are in" and "time to refill your metformin", and to leave "flu shots are here"
 * and "it has been a while since your last visit" alone. English and Spanish.
 */

const TERMS: readonly string[] = [
  // conditions
  'diabetes', 'diabetic', 'prediabetes', 'cancer', 'tumor', 'tumour', 'hiv', 'vih', 'sida', 'hepatitis', 'std', 'stds', 'sti', 'stis',
  'chlamydia', 'gonorrhea', 'syphilis', 'herpes', 'hpv', 'pregnant', 'pregnancy', 'embarazo', 'embarazada', 'miscarriage',
  'abortion', 'aborto', 'depression', 'depresion', 'anxiety', 'ansiedad', 'bipolar', 'schizophrenia', 'psychiatric',
  'mental health', 'salud mental', 'dementia', 'alzheimer', 'alzheimers', "alzheimer's", 'asthma', 'asma', 'copd',
  'hypertension', 'hipertension', 'high blood pressure', 'presion alta', 'cholesterol', 'colesterol', 'obesity', 'obesidad',
  'addiction', 'adiccion', 'overdose', 'opioid', 'opioids', 'substance use', 'alcoholism', 'tuberculosis', 'cirrhosis',
  'kidney disease', 'heart disease', 'epilepsy', 'seizure', 'seizures',
  // tests and results
  'result', 'results', 'resultado', 'resultados', 'test result', 'lab', 'labs', 'lab work', 'laboratorio', 'analisis',
  'biopsy', 'biopsia', 'pathology', 'tested positive', 'tested negative', 'came back positive', 'came back negative',
  'a1c', 'hba1c', 'blood sugar', 'glucose', 'glucosa', 'psa', 'pap smear', 'pap test', 'x ray', 'xray', 'mri', 'ct scan',
  'ultrasound', 'ultrasonido',
  // medications
  'prescription', 'prescriptions', 'receta', 'recetas', 'refill', 'refills', 'rx', 'medication', 'medications', 'meds',
  'medicamento', 'medicamentos', 'dosage', 'dose', 'dosis', 'mg', 'insulin', 'insulina', 'metformin', 'metformina', 'statin',
  'statins', 'antibiotic', 'antibiotics', 'antibiotico', 'antibioticos', 'antidepressant', 'antidepressants', 'birth control',
  'anticonceptivo', 'anticonceptivos', 'contraceptive', 'ozempic', 'methadone', 'metadona', 'suboxone', 'buprenorphine',
  'chemo', 'chemotherapy', 'quimioterapia',
  // visit reasons
  'colonoscopy', 'colonoscopia', 'mammogram', 'mamografia', 'dialysis', 'dialisis', 'vasectomy', 'vasectomia', 'prenatal',
  'std test', 'hiv test', 'pregnancy test', 'prueba de embarazo', 'therapy session', 'counseling', 'rehab', 'detox', 'surgery',
  'cirugia',
];

/** Lower case, accents and apostrophe variants folded, hyphens and runs of space as one space. */
function fold(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/[\u0300-\u036f]/g, '')
    .toLowerCase()
    .replace(/[\u2018\u2019]/g, "'")
    .replace(/[-\u2010-\u2015]/g, ' ')
    .replace(/\s+/g, ' ');
}

const escape = (s: string) => s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
const PATTERN = new RegExp(`(?<![\\p{L}\\p{N}])(${[...new Set(TERMS.map(fold))].sort((a, b) => b.length - a.length).map(escape).join('|')})(?![\\p{L}\\p{N}])`, 'gu');

/** The health details a text names, as found (folded), each once, in the order they appear; [] for none. */
export function healthDetails(text: string): string[] {
  return [...new Set([...fold(text).matchAll(PATTERN)].map((m) => m[1]!))];
}

/** Why a text may not go, or undefined: for refusals and config problems. */
export function healthDetailsProblem(text: string): string | undefined {
  const found = healthDetails(text);
  return found.length === 0 ? undefined : `names health details (${found.map((t) => `"${t}"`).join(', ')}): a text or voicemail may not carry a condition, a test or its result, a medication or a visit's reason`;
}
