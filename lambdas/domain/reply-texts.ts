/**
 * The texts the system sends in answer to a reply: the HELP reply CTIA requires (the
 * practice, a number to call, "Msg & data rates may apply", how often, how to stop), and the
 * one confirmation allowed after an opt-out (no marketing), and after an opt-in. Per
 * language, with the approved template fields; checked at synth so a reply that lacks what
 * the rules ask for never ships.
 */
import { z } from 'zod';
import { healthDetailsProblem } from './health-details';
import { fixedWords } from './templates';

export const REPLY_TEXT_KINDS = ['help', 'optOutConfirmation', 'optInConfirmation'] as const;
export type ReplyTextKind = (typeof REPLY_TEXT_KINDS)[number];

const byLanguage = z.record(z.string().regex(/^[a-z]{2}$/, 'a two-letter language code'), z.string().min(20).max(320));

export const DEFAULT_REPLY_TEXTS: Readonly<Record<ReplyTextKind, Readonly<Record<string, string>>>> = {
  help: {
    en: '{practiceName}: appointment and care texts, up to 3 msgs/week. Msg & data rates may apply. Help: {callbackNumber}. Reply STOP to opt out.',
    es: '{practiceName}: mensajes de citas y salud, hasta 3 por semana. Pueden aplicarse tarifas de mensajes y datos. Ayuda: {callbackNumber}. Responda PARAR para salir.',
  },
  optOutConfirmation: {
    en: '{practiceName}: you will get no more texts from us. Reply START to receive them again. Questions: {callbackNumber}',
    es: '{practiceName}: no recibira mas mensajes nuestros. Responda START para recibirlos otra vez. Dudas: {callbackNumber}',
  },
  optInConfirmation: {
    en: '{practiceName}: you will get our texts again, up to 3 msgs/week. Msg & data rates may apply. Help: {callbackNumber}. Reply STOP to opt out.',
    es: '{practiceName}: volvera a recibir nuestros mensajes, hasta 3 por semana. Pueden aplicarse tarifas. Ayuda: {callbackNumber}. Responda PARAR para salir.',
  },
};

export const replyTextsSchema = z
  .strictObject({ help: byLanguage.default({ ...DEFAULT_REPLY_TEXTS.help }), optOutConfirmation: byLanguage.default({ ...DEFAULT_REPLY_TEXTS.optOutConfirmation }), optInConfirmation: byLanguage.default({ ...DEFAULT_REPLY_TEXTS.optInConfirmation }) })
  .default({ help: { ...DEFAULT_REPLY_TEXTS.help }, optOutConfirmation: { ...DEFAULT_REPLY_TEXTS.optOutConfirmation }, optInConfirmation: { ...DEFAULT_REPLY_TEXTS.optInConfirmation } });
export type ReplyTexts = z.infer<typeof replyTextsSchema>;

/** What each reply must say, as the rules ask (compliance.md, CTIA): the problems of one text, if any. */
export function replyTextProblems(kind: ReplyTextKind, text: string): string[] {
  const problems: string[] = [];
  if (!text.includes('{practiceName}')) problems.push('must name the practice ({practiceName})');
  // Every message gives a way to reach the practice (compliance.md).
  if (!text.includes('{callbackNumber}')) problems.push('must give a number to call ({callbackNumber})');
  if (kind === 'help') {
    if (!/rates may apply|tarifas/i.test(text)) problems.push('must say "Msg & data rates may apply"');
    if (!/\d+\s*(msgs?|messages|mensajes|por)/i.test(text)) problems.push('must say how many messages to expect');
  }
  if (kind !== 'optOutConfirmation' && !/\b(STOP|PARAR)\b/.test(text)) problems.push('must say how to stop (STOP)');
  if (kind === 'optOutConfirmation' && !/\bSTART\b/.test(text)) problems.push('must say how to come back (START)');
  // The opt-out confirmation may carry no marketing, and no reply any health details.
  const health = healthDetailsProblem(fixedWords(text));
  if (health) problems.push(health);
  return problems;
}
