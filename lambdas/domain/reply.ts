/**
 * Two-way SMS: what a person's reply to one of our texts means — an opt-out (a keyword or free
 * text, English or Spanish), opting back in, a request for help, an answer about their
 * appointment, or something a person at the practice has to read. Pure: the inbound-message
 * handler reads End User Messaging's event, this decides, adapters record and answer.
 *
 * Compliance first: whatever could reasonably be an opt-out is one. A wrong opt-out costs a
 * reminder and START undoes it; a missed one makes every later text a TCPA violation.
 *
 * CANCEL: a reply of CANCEL (alone, or with only courtesy words such as "please") is always an
 * SMS opt-out, even from someone with an open appointment. The FCC names "cancel" among the
 * replies that revoke consent per se (47 CFR 64.1200(a)(10), FCC 24-24), CTIA lists it among
 * the universal opt-out keywords, and End User Messaging puts the number on its opt-out list
 * when it receives CANCEL; reading it as an appointment cancellation would leave our records
 * and theirs disagreeing. When the person has an appointment the result also carries
 * `appointmentIntent: 'cancel'` and is flagged, so staff ask about the visit by phone. Appointment
 * texts therefore ask for "C to confirm, R to reschedule" and to call to cancel; "cancel my
 * appointment" (or Spanish "cancelar") is an appointment cancellation.
 */

export const REPLY_KINDS = ['opt-out', 'opt-in', 'help', 'confirm', 'cancel', 'reschedule', 'other'] as const;
export type ReplyKind = (typeof REPLY_KINDS)[number];

/** An opt-out of texts only ('channel') or of every channel: texts, calls, voicemail, mail ('all'). */
export type OptOutScope = 'channel' | 'all';
export type AppointmentIntent = 'confirm' | 'cancel' | 'reschedule';
export type ReplyLanguage = 'en' | 'es';

export interface ReplyContext {
  /** The person has an open appointment (booked or confirmed) a reply can be about. */
  readonly hasAppointment: boolean;
  /** The person's SMS opt-out is in force. */
  readonly optedOut: boolean;
  /** When that opt-out was recorded. With `now`, YES opts back in only within YES_OPT_IN_WINDOW_HOURS of it. */
  readonly lastOptOutAt?: Date;
  readonly now?: Date;
}

export interface ReplyClassification {
  readonly kind: ReplyKind;
  /** For an opt-out, what it covers; null for every other kind. */
  readonly scope: OptOutScope | null;
  /** The table keyword the reply is (canonical spelling, e.g. "OPT-OUT" for "opt out"), when it is one. */
  readonly keyword?: string;
  /** Why, in words safe to log: rule names and keywords, never the message's text. */
  readonly reason: string;
  /** A person at the practice reads this reply the same day: everything 'other', and an opt-out that may also be about the appointment. */
  readonly flagForStaff: boolean;
  /** For an opt-out from someone with an appointment: what the reply also seems to say about it. */
  readonly appointmentIntent?: AppointmentIntent;
}

export interface OptOutKeyword {
  readonly keyword: string;
  readonly scope: OptOutScope;
  readonly language: ReplyLanguage;
}

/**
 * Opt-out keywords (compliance.md, CTIA, End User Messaging's required list, the FCC's per se
 * list). Matched as the whole message, or a sentence of it, ignoring case, spaces, punctuation,
 * emoji, accents, look-alike letters and courtesy words: "Stop 🙏", "opt out", "ＳＴＯＰ", "Alto por favor".
 */
export const OPT_OUT_KEYWORDS: readonly OptOutKeyword[] = [
  { keyword: 'STOP', scope: 'channel', language: 'en' },
  { keyword: 'STOPALL', scope: 'all', language: 'en' },
  { keyword: 'UNSUBSCRIBE', scope: 'channel', language: 'en' },
  { keyword: 'CANCEL', scope: 'channel', language: 'en' },
  { keyword: 'END', scope: 'channel', language: 'en' },
  { keyword: 'QUIT', scope: 'channel', language: 'en' },
  // The FCC's rule speaks of revoking consent, not of one channel.
  { keyword: 'REVOKE', scope: 'all', language: 'en' },
  { keyword: 'OPTOUT', scope: 'channel', language: 'en' },
  { keyword: 'OPT-OUT', scope: 'channel', language: 'en' },
  { keyword: 'REMOVE', scope: 'channel', language: 'en' },
  { keyword: 'PARAR', scope: 'channel', language: 'es' },
  { keyword: 'ALTO', scope: 'channel', language: 'es' },
];

/** START and UNSTOP opt back in after an opt-out; YES only right after one (it usually means "confirm"). */
export const OPT_IN_KEYWORDS = ['START', 'UNSTOP', 'YES'] as const;
export const HELP_KEYWORDS = ['HELP', 'INFO', 'AYUDA'] as const;

/** How long after an opt-out a YES still answers its confirmation text (which goes out within 5 minutes). */
export const YES_OPT_IN_WINDOW_HOURS = 24;

/**
 * One-word appointment answers, matched like the keywords. CANCEL is not here: it is an opt-out.
 * A reply of CANCELAR from someone with no appointment is an opt-out (nothing else to cancel).
 */
export const APPOINTMENT_WORDS: Readonly<Record<AppointmentIntent, readonly string[]>> = {
  confirm: ['C', 'CONFIRM', 'CONFIRMED', 'YES', 'Y', 'YEP', 'YEAH', 'YUP', 'SI', 'CONFIRMO', 'CONFIRMADO', 'CONFIRMADA'],
  cancel: ['CANCELAR', 'CANCELO'],
  reschedule: ['R', 'RESCHEDULE', 'RESCHED', 'REPROGRAMAR', 'REAGENDAR'],
};

/** Words that do not change what a keyword says: "STOP please", "I said stop", "Alto por favor", "opt me out". */
export const COURTESY_WORDS: readonly string[] = [
  'please', 'pls', 'plz', 'now', 'it', 'thanks', 'thank', 'you', 'thx', 'ty', 'asap', 'immediately', 'right', 'already',
  'ok', 'okay', 'just', 'i', 'said', 'again', 'me', 'more',
  'por', 'favor', 'porfavor', 'porfa', 'ya', 'gracias', 'ahora', 'mismo', 'ahorita',
];

export interface PhraseRule {
  /** Names the rule in reasons and tests. */
  readonly id: string;
  readonly language: ReplyLanguage;
  /** Matched against one sentence of the folded reply: lower case, unaccented, no apostrophes, words split by one space. Not global: safe to `test`. */
  readonly pattern: RegExp;
  /** A negation just before the match ("don't stop…", "no dejen de…") means it is not a request. */
  readonly negatable: boolean;
}

// Courtesy words that may follow a phrase that must otherwise end the sentence.
const END = '(?=(?: (?:please|pls|plz|thanks|thank you|thx|ty|asap|now|immediately|already|right now|again|anymore|any more|for good|permanently|too|as well|ya|por favor|gracias))*$)';
const MESSAGES = '(?:texts?|txts?|text messages?|messages?|msgs?|sms|reminders?|notifications?|alerts?|spam|updates?|emails?|calls?|phone calls?|contact|communications?|mail)';
const DETERMINERS = '(?:(?:the|these|those|this|your|ur|all|any|of|my|our|appointment|appt|more|further|future|marketing|promotional|automated) )*';
const CONTACTING = '(?:texting|txting|texing|messaging|msging|sending|contacting|calling|bothering|spamming|harassing|emailing|pinging|hitting me up)';
const CONTACT = '(?:text|txt|message|msg|sms|contact|call|email|spam|harass|ping)';
const INTENSIFIER = '(?:(?:fucking|freaking|frigging|effing|damn|bloody) )?';
const ES_CONTACT = '(?:escriba[ns]?|mande[ns]?|envie[ns]?|textee[ns]?|texte[ns]?|llame[ns]?|marque[ns]?|contacte[ns]?|moleste[ns]?|busque[ns]?)';
const ES_MESSAGES = '(?:mensajes?|textos?|sms|llamadas?|recordatorios?|notificaciones?|correos?|publicidad|spam)';

function rule(id: string, language: ReplyLanguage, source: string, negatable: boolean): PhraseRule {
  return { id, language, negatable, pattern: new RegExp(`(?:^| )(?:${source})(?= |$)`) };
}

/** Free-text ways of saying stop (the FCC's "any reasonable means"). */
export const OPT_OUT_PHRASES: readonly PhraseRule[] = [
  rule('en:stop-contacting', 'en', `(?:stop|quit|cease|end) ${INTENSIFIER}${CONTACTING}`, true),
  rule('en:stop-receiving', 'en', '(?:stop|quit|cease) (?:getting|receiving)', true),
  rule('en:stop-messages', 'en', `(?:stop|quit|cease|end|cancel|halt|pause) ${DETERMINERS}${MESSAGES}`, true),
  rule('en:stop-everything', 'en', `(?:stop|end|quit|cancel) (?:this|these|them|that|it all|everything|all of (?:it|this|them)|all this|all that|this nonsense|this spam)${END}`, true),
  rule('en:do-not-contact', 'en', `(?:dont|do not|never|(?:can|could|would|will) (?:you|u) (?:please |pls )?not) (?:ever )?(?:${CONTACT}|${CONTACTING})(?: (?:or|and|nor) (?:${CONTACT}|${CONTACTING}))*(?: (?:me|us|this number|my (?:cell |mobile )?(?:number|phone))| again| anymore|${END})`, false),
  rule('en:do-not-send', 'en', `(?:dont|do not|never) send (?:me |us )?(?:${DETERMINERS}${MESSAGES}|anything|any more|anymore)`, false),
  rule('en:do-not-want', 'en', `(?:dont|do not|no longer|never) (?:want|wish|like)(?: to (?:get|receive|have))? ${DETERMINERS}${MESSAGES}`, false),
  rule('en:do-not-want-you-to', 'en', `(?:dont|do not|no longer) (?:want|wish) (?:you|u|anyone|anybody) (?:to )?${CONTACT}`, false),
  rule('en:do-not-want-to-be', 'en', '(?:dont|do not|no longer) (?:want|wish) to be (?:contacted|texted|called|messaged|bothered)', false),
  rule('en:no-more', 'en', `(?:no (?:more|further)|enough(?: with| of)?) ${DETERMINERS}${MESSAGES}|no more${END}`, false),
  rule('en:remove-me', 'en', '(?:remove|delete|erase|drop|unlist|unenroll|unenrol|disenroll) (?:me|us|my (?:cell |phone |mobile )?(?:number|phone|info|information|contact(?: info)?)|this (?:number|phone))', true),
  rule('en:take-me-off', 'en', `(?:take|get) (?:me|us|my (?:cell |phone )?(?:number|phone)|this number) (?:off|out)(?: of)?(?: ${DETERMINERS}(?:(?:texting|text|sms|mailing|call|calling|contact|message|messaging|marketing|outreach) )?(?:list|lists|texts|messages|database|system|records?))?${END}`, true),
  rule('en:unsubscribe', 'en', 'unsu[bs]\\w*', true),
  rule('en:opt-out', 'en', 'opt(?:ing)?(?: me| us)? out|optout|optingout', true),
  rule('en:revoke', 'en', 'revok\\w*', true),
  rule('en:leave-me-alone', 'en', 'leave (?:me|us) alone|lose (?:my|this) number|go away|dont bother me', false),
  rule('en:wrong-number', 'en', `^(?:(?:you have|you got|you ve got|youve got|you texted|this is|its|it is) )?(?:the |a )?wrong (?:number|person)${END}`, false),
  rule('es:no-me-escriban', 'es', `(?:no|nunca) (?:me )?(?:vuelva[ns]? a )?${ES_CONTACT}`, false),
  rule('es:no-vuelvan-a', 'es', '(?:no|nunca) (?:me )?vuelva[ns]? a (?:escrib|mand|envi|text|llam|contact|molest)\\w*', false),
  rule('es:no-quiero-que', 'es', `no quiero que (?:me )?(?:sigan? )?${ES_CONTACT}`, false),
  rule('es:dejen-de', 'es', '(?:dejen|deje|dejes|deja|dejar|paren|pare|para) de (?:escrib|mand|envi|text|llam|contact|molest|recib)\\w*', true),
  rule('es:no-quiero', 'es', `no (?:quiero|queremos|deseo) (?:(?:recibir|mas|tener|sus|los|estos|estas|ningun|ninguna|ningunos|tus|las) )*(?:${ES_MESSAGES}|nada)`, false),
  rule('es:no-mas', 'es', `no mas(?: ${ES_MESSAGES})?${END}`, false),
  rule('es:basta', 'es', `(?:ya )?basta(?: ya)?(?: de (?:\\w+ )?${ES_MESSAGES})?${END}`, false),
  rule('es:para', 'es', `^(?:ya )?(?:para|paren|pare|parale|parenle)(?: ya)?${END}`, false),
  rule('es:sacame-de-la-lista', 'es', '(?:quit|saqu|sac|borr|elimin|retir)(?:en|e|a|ar)(?:me)? de (?:la |su |sus |esta |tu |tus |las |los )?(?:lista|listas|base de datos|sistema|mensajes|textos|contactos)', true),
  rule('es:borren-mi-numero', 'es', '(?:borr|elimin|quit)(?:en|e|a) (?:mi|este) (?:numero|telefono|celular|contacto)', true),
  rule('es:baja', 'es', `(?:dar|darme|den|denme|deme|doy) de baja|^(?:de )?baja${END}`, true),
  rule('es:cancelar-mensajes', 'es', `desuscri\\w*|desinscri\\w*|cancelar (?:la |mi )?suscripcion|(?:cancel(?:ar|en|e|a)|detener|detengan|detenga|suspend(?:er|an|a)) (?:(?:los|sus|estos|las|mis|todos|todas) )*${ES_MESSAGES}`, true),
  rule('es:numero-equivocado', 'es', `^(?:(?:es|tiene|tienen|este es|es el) )?(?:el |un )?numero equivocado${END}|se equivoca(?:ron|ro)? de numero`, false),
];

/** Free-text appointment answers; only read when the person has an open appointment. */
export const APPOINTMENT_PHRASES: Readonly<Record<AppointmentIntent, readonly PhraseRule[]>> = {
  reschedule: [
    rule('en:reschedule', 'en', 're ?schedul\\w*|resched|rebook\\w*|re book', true),
    rule('en:change-appointment', 'en', '(?:change|move|switch|push back|push) (?:my |the |our |this |that )?(?:appointment|appt|visit|time|date|day)', true),
    rule('en:another-time', 'en', '(?:another|different|other|new|later|earlier) (?:time|day|date|slot|appointment)', true),
    rule('es:reprogramar', 'es', 'reprogram\\w*|reagend\\w*|(?:cambi|mov)(?:ar|o|en|e|er) (?:mi |la |de |el )?(?:cita|hora|fecha|dia|horario)|otr[ao] (?:hora|fecha|dia|horario|cita|momento)', true),
  ],
  cancel: [
    // "cancel my appointment reminders" is about the texts, not the visit.
    rule('en:cancel-appointment', 'en', 'cancel(?:l?ing|l?ed)? (?:my |the |this |our |that |your |tomorrows |todays )?(?:appointment|appt|visit|booking|reservation)(?! (?:reminders?|texts?|txts?|messages?|msgs?|notifications?|alerts?|updates?))', true),
    rule('en:need-to-cancel', 'en', '(?:need|want|have|like|going|gotta|got|wanna) (?:to )?cancel', true),
    rule('en:cannot-make-it', 'en', '(?:cant|cannot|can not|wont|will not|couldnt|not going to|not gonna|not able to|unable to|wont be able to) (?:make it|make my appointment|make the appointment|come|attend|go|be there|come in|show up)', false),
    rule('es:cancelar-cita', 'es', 'cancel(?:ar|o|a|en|e|amos)(?: (?:mi|la|su|esta|nuestra) (?:cita|consulta))?', true),
    rule('es:no-puedo-ir', 'es', 'no (?:puedo|podre|podemos|podremos|voy a poder|vamos a poder|va a poder) (?:ir|asistir|llegar|venir|acudir)|no (?:voy|vamos|va) a (?:ir|asistir|venir)|no (?:ire|asistire)', false),
  ],
  confirm: [
    rule('en:will-be-there', 'en', '(?:ill|i will|we will|well|will|we ll|i ll) be there', false),
    rule('en:see-you', 'en', 'see (?:you|u|ya) (?:then|there|soon|tomorrow|tmrw|tmr|later)', false),
    rule('en:confirm', 'en', 'confirm(?:ed|ing)?(?: (?:my|the|our|this|that|your) (?:appointment|appt|visit))?', true),
    rule('en:can-make-it', 'en', '(?:i|we) (?:can|will) (?:make it|come|attend)|count (?:me|us) in', true),
    rule('es:confirmo', 'es', 'confirm(?:o|ado|ada|amos|ar)(?: (?:mi|la|su|nuestra) cita)?', true),
    rule('es:alli-estare', 'es', `(?:alli|ahi|aqui|alla) (?:estare|estaremos|nos vemos)|nos vemos|cuente[ns]? conmigo|si (?:voy|ire|asistire|vamos)${END}`, false),
  ],
};

// A negation (or a question about the past) just before a stop word: "don't stop", "can't stop
// laughing", "did you stop…", "no dejen de…". Bridges may stand between: "don't want you to stop".
const BLOCKERS: Readonly<Record<ReplyLanguage, ReadonlySet<string>>> = {
  en: new Set(['dont', 'not', 'never', 'cant', 'cannot', 'wont', 'didnt', 'doesnt', 'did', 'does', 'shouldnt', 'wouldnt', 'couldnt', 'isnt', 'arent', 'wasnt', 'werent', 'hasnt', 'havent', 'without', 'nor']),
  es: new Set(['no', 'nunca', 'jamas', 'tampoco']),
};
const BRIDGES: Readonly<Record<ReplyLanguage, ReadonlySet<string>>> = {
  en: new Set(['i', 'you', 'u', 'ya', 'we', 'they', 'to', 'want', 'wanna', 'gonna', 'going', 'ever', 'please', 'pls', 'plz', 'really', 'just', 'even', 'would', 'will', 'like', 'need', 'me', 'still', 'so', 'that']),
  es: new Set(['que', 'quiero', 'queremos', 'me', 'te', 'se', 'lo', 'la', 'les', 'por', 'favor', 'porfavor', 'ustedes', 'usted', 'ya', 'pueden', 'puede', 'puedes', 'van', 'vayan', 'a', 'y', 'mas', 'yo']),
};
// Stop words whose negation is worth saying in the reason of an 'other' ("don't stop my reminders").
const STOP_WORDS: Readonly<Record<string, ReplyLanguage>> = {
  stop: 'en', unsubscribe: 'en', remove: 'en', cancel: 'en', quit: 'en', end: 'en', revoke: 'en', opt: 'en',
  dejen: 'es', deje: 'es', dejes: 'es', deja: 'es', dejar: 'es', parar: 'es', paren: 'es', cancelar: 'es', cancelen: 'es', quiten: 'es', borren: 'es',
};
const HEDGES = /(?:^| )(?:maybe|not sure|might|idk|probably|hopefully|perhaps|tal vez|quizas|quiza|a lo mejor|no se|no estoy segur[oa])(?= |$)/;

// Any of these in an opt-out → every channel: "stop all messages and calls", "no me llamen ni me escriban".
const EVERY_CHANNEL = /(?:^| )(?:calls?|calling|called|voicemails?|emails?|emailing|mail|letters?|postcards?|contact\w*|everything|anything|all|revok\w*|llam\w*|marque\w*|correos?|cartas?|todo|todos|todas|nada|comunica\w*|comuniqu\w*)(?= |$)/;
// A sentence of only these adds channels to the opt-out next to it: "STOP. Calls too", "ni llamadas".
const CHANNEL_ONLY: ReadonlySet<string> = new Set([
  'and', 'too', 'also', 'as', 'well', 'either', 'or', 'nor', 'any', 'all', 'the', 'my', 'me', 'your', 'of', 'please', 'no', 'phone',
  'calls', 'call', 'calling', 'voicemails', 'voicemail', 'emails', 'email', 'mail', 'letters', 'postcards', 'contact', 'everything', 'anything',
  'y', 'ni', 'tampoco', 'tambien', 'llamadas', 'llamada', 'correos', 'cartas', 'todo', 'todos', 'todas', 'nada', 'de', 'las', 'los', 'el', 'la', 'mas', 'por', 'favor',
]);
// …unless the person asks for calls instead: "stop texting me, call me instead".
const CALL_ME = /(?:^| )(?:call (?:me|us)|llam(?:ame|enme|eme))(?= |$)/g;

// Latin look-alikes NFKC leaves alone: Cyrillic, Greek, Armenian, small capitals.
const HOMOGLYPHS: Readonly<Record<string, string>> = Object.fromEntries(
  [
    'АA', 'ВB', 'СC', 'ЕE', 'НH', 'ІI', 'ЈJ', 'КK', 'МM', 'ОO', 'РP', 'ЅS', 'ТT', 'ХX', 'УY', 'ҮY', 'ԀD', 'ԚQ', 'ԜW', 'ӀI',
    'аa', 'сc', 'еe', 'һh', 'іi', 'јj', 'кk', 'мm', 'оo', 'рp', 'ѕs', 'тt', 'хx', 'уy', 'үy', 'ԁd', 'ԛq', 'ԝw', 'ӏl', 'пn',
    'ΑA', 'ΒB', 'ΕE', 'ΖZ', 'ΗH', 'ΙI', 'ΚK', 'ΜM', 'ΝN', 'ΟO', 'ΡP', 'ΤT', 'ΥY', 'ΧX',
    'αa', 'ιi', 'κk', 'νv', 'οo', 'ρp', 'τt', 'υu', 'χx',
    'օo', 'սu', 'ıi', 'ȷj',
    'ᴀa', 'ʙb', 'ᴄc', 'ᴅd', 'ᴇe', 'ꜰf', 'ɢg', 'ʜh', 'ɪi', 'ᴊj', 'ᴋk', 'ʟl', 'ᴍm', 'ɴn', 'ᴏo', 'ᴘp', 'ʀr', 'ꜱs', 'ᴛt', 'ᴜu', 'ᴠv', 'ᴡw', 'ʏy', 'ᴢz',
  ].map((pair) => [pair[0], pair[1]]),
);
const HOMOGLYPH = new RegExp(`[${Object.keys(HOMOGLYPHS).join('')}]`, 'gu');

/**
 * The reply as the rules read it: full-width and styled letters made plain (NFKC), invisible
 * characters (zero-width spaces and joiners, BOM, soft hyphen, bidi marks) removed, accents and
 * look-alike letters folded to Latin, lower case, curly apostrophes straight, & as "and".
 * Punctuation stays: it separates sentences.
 */
export function foldReply(text: string): string {
  return text
    .replace(/[\u2018\u2019\u201B\u02BC\u0060\u00B4\u2032\uFF07]/g, "'")
    .normalize('NFKC')
    .replace(/[\r\u2028\u2029]/g, '\n')
    .replace(/[\p{Cf}\p{Cc}]/gu, (c) => (c === '\n' ? c : c === '\t' ? ' ' : ''))
    .normalize('NFD')
    .replace(/\p{M}/gu, '')
    .replace(HOMOGLYPH, (c) => HOMOGLYPHS[c] ?? c)
    .toLowerCase()
    .replace(/&/g, ' and ');
}

/** The reply's sentences, each as its words: split at sentence punctuation, commas, line breaks and emoji. */
export function replySentences(text: string): string[][] {
  return foldReply(text)
    .split(/[.!?;:,\n¡¿\p{Extended_Pictographic}]+/u)
    .map(words)
    .filter((sentence) => sentence.length > 0);
}

function words(sentence: string): string[] {
  return sentence
    .replace(/'/g, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w !== '');
}

/**
 * What a reply means. Checked in order, the first that applies wins: opt-out keywords, free-text
 * stop requests, opting back in, help, appointment answers (only with an open appointment), other.
 */
export function classifyReply(text: string, context: ReplyContext): ReplyClassification {
  const sentences = replySentences(text);
  const all = sentences.flat();
  if (all.length === 0) return other('empty message, or only emoji and punctuation');

  const appointment = context.hasAppointment ? appointmentIntentOf(sentences) : undefined;
  const optOut = optOutOf(sentences, all);
  if (optOut) {
    // A bare CANCEL is an opt-out (see the top of this file), but may have meant the visit.
    const also = appointment?.intent ?? (context.hasAppointment && optOut.keyword === 'CANCEL' ? 'cancel' : undefined);
    return {
      kind: 'opt-out',
      scope: optOut.scope,
      ...(optOut.keyword ? { keyword: optOut.keyword } : {}),
      reason: also ? `${optOut.reason}; it may also be about the appointment (${also}): staff to ask by phone` : optOut.reason,
      flagForStaff: also !== undefined,
      ...(also ? { appointmentIntent: also } : {}),
    };
  }

  const optIn = keywordOf(all, OPT_IN_TABLE);
  if (optIn === 'START' || optIn === 'UNSTOP') {
    return context.optedOut
      ? { kind: 'opt-in', scope: null, keyword: optIn, reason: `opt-in keyword ${optIn} after an opt-out`, flagForStaff: false }
      : other(`${optIn} from someone who has not opted out: nothing to resume`);
  }
  if (optIn === 'YES' && context.optedOut && withinYesWindow(context)) {
    return { kind: 'opt-in', scope: null, keyword: 'YES', reason: 'YES right after an opt-out', flagForStaff: false };
  }

  const help = keywordInAny(sentences, all, HELP_TABLE);
  if (help) return { kind: 'help', scope: null, keyword: help, reason: `help keyword ${help}`, flagForStaff: false };

  if (appointment) {
    return { kind: appointment.intent, scope: null, ...(appointment.keyword ? { keyword: appointment.keyword } : {}), reason: `appointment ${appointment.intent} (${appointment.rule})`, flagForStaff: false };
  }
  // From here on the person has no appointment, or the reply says nothing about it.
  const cancelar = keywordOf(all, APPOINTMENT_TABLES.cancel);
  if (cancelar) return { kind: 'opt-out', scope: 'channel', keyword: cancelar, reason: `${cancelar} with no open appointment: the texts are all there is to cancel`, flagForStaff: false };
  if (optIn === 'YES') return other('YES, but not right after an opt-out and no appointment to confirm');
  const unmatched = appointmentIntentOf(sentences);
  if (unmatched) return other(`reads as an appointment ${unmatched.intent} (${unmatched.rule}), but there is no open appointment`);
  if (negatedStopWord(sentences)) return other('a stop word, negated ("don\'t stop", "no dejen de"): not an opt-out');
  return other('no keyword or known request');
}

function other(reason: string): ReplyClassification {
  return { kind: 'other', scope: null, reason, flagForStaff: true };
}

interface OptOutFinding {
  readonly scope: OptOutScope;
  readonly keyword?: string;
  readonly reason: string;
}

function optOutOf(sentences: readonly (readonly string[])[], all: readonly string[]): OptOutFinding | undefined {
  const stops = sentences.map((s) => optOutKeywordOf(s) !== undefined || firstMatch(s, OPT_OUT_PHRASES) !== undefined);
  // The whole message first: "S.T.O.P." is one keyword split into four sentences.
  const keyword = optOutKeywordOf(all) ?? sentences.map(optOutKeywordOf).find((k) => k !== undefined);
  if (keyword) {
    const scope = keyword.scope === 'all' || everyChannel(sentences, stops) ? 'all' : 'channel';
    return { scope, keyword: keyword.keyword, reason: `opt-out keyword ${keyword.keyword}${scope === 'all' ? ': every channel' : ''}` };
  }
  for (const sentence of sentences) {
    const phrase = firstMatch(sentence, OPT_OUT_PHRASES);
    if (phrase) {
      const scope = everyChannel(sentences, stops) ? 'all' : 'channel';
      return { scope, reason: `free-text stop request (${phrase.id})${scope === 'all' ? ': every channel' : ''}` };
    }
  }
  return undefined;
}

/**
 * An opt-out covers every channel when a stop sentence names calls, mail, contact, everything or
 * all ("stop all messages and calls", "no me llamen ni me escriban"), or a sentence next to it
 * only adds channels ("STOP. Calls too"); not when the person asks to be called instead.
 */
function everyChannel(sentences: readonly (readonly string[])[], stops: readonly boolean[]): boolean {
  const asksForCalls = sentences.some((s) => {
    const text = s.join(' ');
    return [...text.matchAll(CALL_ME)].some((m) => !blocked(s, wordIndexOf(text, m), 'en'));
  });
  if (asksForCalls) return false;
  return sentences.some((s, i) => (stops[i] || s.every((w) => CHANNEL_ONLY.has(w))) && EVERY_CHANNEL.test(s.join(' ')));
}

function appointmentIntentOf(sentences: readonly (readonly string[])[]): { intent: AppointmentIntent; rule: string; keyword?: string } | undefined {
  const all = sentences.flat();
  // A new time says more than "can't make it", which says more than "yes".
  for (const intent of ['reschedule', 'cancel', 'confirm'] as const) {
    // "Maybe, I'll be there" is not a confirmation staff can rely on.
    if (intent === 'confirm' && hedged(sentences)) continue;
    const keyword = keywordInAny(sentences, all, APPOINTMENT_TABLES[intent]);
    if (keyword) return { intent, rule: `word ${keyword}`, keyword };
    for (const sentence of sentences) {
      const phrase = firstMatch(sentence, APPOINTMENT_PHRASES[intent]);
      if (phrase) return { intent, rule: phrase.id };
    }
  }
  return undefined;
}

function hedged(sentences: readonly (readonly string[])[]): boolean {
  return sentences.some((s) => HEDGES.test(s.join(' ')));
}

function firstMatch(sentence: readonly string[], rules: readonly PhraseRule[]): PhraseRule | undefined {
  const text = sentence.join(' ');
  return rules.find((r) => [...text.matchAll(new RegExp(r.pattern, 'g'))].some((m) => !r.negatable || !blocked(sentence, wordIndexOf(text, m), r.language)));
}

function wordIndexOf(text: string, match: RegExpMatchArray): number {
  const start = (match.index ?? 0) + (match[0].startsWith(' ') ? 1 : 0);
  return start === 0 ? 0 : text.slice(0, start).trim().split(' ').length;
}

function blocked(sentence: readonly string[], at: number, language: ReplyLanguage): boolean {
  for (let i = at - 1; i >= 0 && i >= at - 6; i--) {
    if (BLOCKERS[language].has(sentence[i])) return true;
    if (!BRIDGES[language].has(sentence[i])) return false;
  }
  return false;
}

function negatedStopWord(sentences: readonly (readonly string[])[]): boolean {
  return sentences.some((s) => s.some((w, i) => STOP_WORDS[w] !== undefined && blocked(s, i, STOP_WORDS[w])));
}

function withinYesWindow(context: ReplyContext): boolean {
  if (!context.lastOptOutAt || !context.now) return true;
  const elapsed = context.now.getTime() - context.lastOptOutAt.getTime();
  return elapsed >= 0 && elapsed <= YES_OPT_IN_WINDOW_HOURS * 3_600_000;
}

// ---- keyword tables ---------------------------------------------------------------------------

interface TableEntry {
  readonly keyword: string;
  /** The keyword once or more, as letters with runs collapsed: "OPT-OUT" → optout, "STOPALL" → stopal; "stop stop" matches. */
  readonly pattern: RegExp;
}

const COURTESY = new Set(COURTESY_WORDS);
// Before a stop keyword these add nothing either: "no STOP", "yes stop", "hey stop".
const OPT_OUT_COURTESY = new Set([...COURTESY_WORDS, 'no', 'yes', 'si', 'yeah', 'hey', 'hi', 'hello', 'sorry', 'omg', 'seriously', 'sir', 'maam', 'kindly', 'fine', 'alright']);
const letters = (text: string): string => text.toLowerCase().replace(/[^a-z0-9]/g, '').replace(/(.)\1+/g, '$1');
const table = (keywords: readonly string[]): readonly TableEntry[] => keywords.map((keyword) => ({ keyword, pattern: new RegExp(`^(?:${letters(keyword)})+$`) }));

const OPT_OUT_TABLE = table(OPT_OUT_KEYWORDS.map((k) => k.keyword));
const OPT_IN_TABLE = table(OPT_IN_KEYWORDS);
const HELP_TABLE = table(HELP_KEYWORDS);
const APPOINTMENT_TABLES: Readonly<Record<AppointmentIntent, readonly TableEntry[]>> = {
  confirm: table(APPOINTMENT_WORDS.confirm),
  cancel: table(APPOINTMENT_WORDS.cancel),
  reschedule: table(APPOINTMENT_WORDS.reschedule),
};

/**
 * The keyword these words are, if they are one: spelled out ("S T O P"), stretched ("STOPPP"),
 * repeated ("stop stop"), split ("opt out"), or with courtesy words around it ("STOP please").
 */
function keywordOf(sentence: readonly string[], entries: readonly TableEntry[], courtesy: ReadonlySet<string> = COURTESY): string | undefined {
  for (const candidate of [sentence, sentence.filter((w) => !courtesy.has(w))]) {
    if (candidate.length === 0) continue;
    const key = letters(candidate.join(''));
    const hits = entries.filter((e) => e.pattern.test(key));
    // "opt out" is OPT-OUT, "optout" is OPTOUT: the same letters, told apart by the space.
    const hit = hits.find((e) => e.keyword.includes('-') === candidate.length > 1) ?? hits[0];
    if (hit) return hit.keyword;
  }
  return undefined;
}

function keywordInAny(sentences: readonly (readonly string[])[], all: readonly string[], entries: readonly TableEntry[]): string | undefined {
  return keywordOf(all, entries) ?? sentences.map((s) => keywordOf(s, entries)).find((k) => k !== undefined);
}

function optOutKeywordOf(sentence: readonly string[]): OptOutKeyword | undefined {
  const keyword = keywordOf(sentence, OPT_OUT_TABLE, OPT_OUT_COURTESY);
  return OPT_OUT_KEYWORDS.find((k) => k.keyword === keyword);
}
