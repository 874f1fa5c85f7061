import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import {
  BROADCAST_CHANNELS,
  broadcastRunId,
  broadcastingSchema,
  broadcastSchema,
  broadcastTemplatesSchema,
  campaignRunId,
  chooseChannel,
  memberKey,
  type ChannelName,
} from '../../lambdas/domain/broadcast';
import { parseStageConfig } from '../../lambdas/domain/stage-config';
import type { PlannedStep, SkipReason, StepDecision } from '../../lambdas/domain/step-plan';

const SAMPLE_PATH = join(__dirname, '..', '..', 'samples', 'stage.sample.json');

type Json = any;
type Planned = Exclude<StepDecision, { action: 'stop' } | { action: 'finish' }>;

const step = (channel: 'sms' | 'voicemail'): PlannedStep => ({
  id: `broadcast-${channel}`,
  channel,
  purpose: 'care',
  phoneTypes: BROADCAST_CHANNELS[channel].phoneTypes,
  day: 0,
  template: channel === 'sms' ? 'sms-care-gap' : 'voicemail-care-gap',
});

const send = (name: ChannelName): { name: ChannelName; plan: Planned } => ({
  name,
  plan: { action: 'send', step: step(name), channel: name, to: '+12065550143', phoneType: 'MOBILE', language: 'en' },
});
const wait = (name: ChannelName): { name: ChannelName; plan: Planned } => ({
  name,
  plan: { action: 'wait', until: '2026-06-15T16:00:00.000Z', reason: 'window-closed' },
});
const skip = (name: ChannelName, reason: SkipReason): { name: ChannelName; plan: Planned } => ({ name, plan: { action: 'skip', reason, step: step(name) } });

describe('chooseChannel', () => {
  it('takes SMS when its plan sends', () => {
    const sms = send('sms');
    expect(chooseChannel([sms, send('voicemail')])).toBe(sms);
  });

  it('takes SMS when its plan waits (window or cap), not the voicemail that could go now', () => {
    const sms = wait('sms');
    expect(chooseChannel([sms, send('voicemail')])).toBe(sms);
  });

  it('falls to voicemail when SMS skips', () => {
    const voicemail = send('voicemail');
    expect(chooseChannel([skip('sms', 'no-number-for-step'), voicemail])).toBe(voicemail);
    const waiting = wait('voicemail');
    expect(chooseChannel([skip('sms', 'no-consent'), waiting])).toBe(waiting);
  });

  it('takes the only channel a broadcast has', () => {
    const voicemail = send('voicemail');
    expect(chooseChannel([voicemail])).toBe(voicemail);
  });

  it('reports the telling skip reason, not "no number" from the channel the person could not take', () => {
    expect(chooseChannel([skip('sms', 'no-number-for-step'), skip('voicemail', 'no-consent')])).toEqual({ skip: 'no-consent' });
    expect(chooseChannel([skip('sms', 'no-consent'), skip('voicemail', 'no-number-for-step')])).toEqual({ skip: 'no-consent' });
    expect(chooseChannel([skip('sms', 'no-number-for-step'), skip('voicemail', 'do-not-call')])).toEqual({ skip: 'do-not-call' });
  });

  it('reports the first channel\'s reason when both are telling', () => {
    expect(chooseChannel([skip('sms', 'no-consent'), skip('voicemail', 'do-not-call')])).toEqual({ skip: 'no-consent' });
  });

  it('reports no-number-for-step when no channel had a number', () => {
    expect(chooseChannel([skip('sms', 'no-number-for-step'), skip('voicemail', 'no-number-for-step')])).toEqual({ skip: 'no-number-for-step' });
    expect(chooseChannel([skip('sms', 'no-number-for-step')])).toEqual({ skip: 'no-number-for-step' });
  });

  it('reports no-channel when there is none to try', () => {
    expect(chooseChannel([])).toEqual({ skip: 'no-channel' });
  });
});

describe('BROADCAST_CHANNELS', () => {
  it('texts mobiles only and leaves voicemails on any voice number', () => {
    expect(BROADCAST_CHANNELS.sms).toEqual({ channel: 'sms', phoneTypes: ['MOBILE'] });
    expect(BROADCAST_CHANNELS.voicemail.channel).toBe('voicemail');
    expect([...BROADCAST_CHANNELS.voicemail.phoneTypes].sort()).toEqual(['LANDLINE', 'MOBILE', 'VOIP']);
  });
});

describe('run ids and member keys', () => {
  it('names a broadcast run by the broadcast and its trigger', () => {
    expect(broadcastRunId('flu-clinic', '2026-10-01T09:00:00-04:00')).toBe('broadcast:flu-clinic:2026-10-01T09:00:00-04:00');
    expect(broadcastRunId('flu-clinic', 'a')).not.toBe(broadcastRunId('flu-clinic', 'b'));
    expect(broadcastRunId('flu-clinic', 'a')).not.toBe(broadcastRunId('closure', 'a'));
  });

  it('names a campaign run by the campaign and its day', () => {
    expect(campaignRunId('birthday', '2026-06-15')).toBe('campaign:birthday:2026-06-15');
  });

  it("a broadcast's member key is its run id: once per person per run", () => {
    const runId = broadcastRunId('flu-clinic', '2026-10-01T09:00:00-04:00');
    expect(memberKey(runId)).toBe(runId);
    expect(memberKey(broadcastRunId('flu-clinic', '2026-11-01T09:00:00-04:00'))).not.toBe(memberKey(runId));
  });

  it("a campaign's member key is the campaign and the occurrence, the same whichever day's run holds it", () => {
    const monday = memberKey(campaignRunId('birthday', '2026-07-04'), '1980-07-04@2026');
    const tuesday = memberKey(campaignRunId('birthday', '2026-07-05'), '1980-07-04@2026');
    expect(monday).toBe('campaign:birthday:1980-07-04@2026');
    expect(tuesday).toBe(monday);
  });

  it("a campaign's member key differs by occurrence and by campaign", () => {
    const runId = campaignRunId('birthday', '2026-07-04');
    expect(memberKey(runId, '1980-07-04@2027')).not.toBe(memberKey(runId, '1980-07-04@2026'));
    expect(memberKey(campaignRunId('recall', '2026-07-04'), '1980-07-04@2026')).toBe('campaign:recall:1980-07-04@2026');
  });
});

describe('broadcast schemas', () => {
  it('needs an sms or a voicemail template', () => {
    expect(broadcastTemplatesSchema.parse({ sms: 'a' })).toEqual({ sms: 'a' });
    expect(broadcastTemplatesSchema.parse({ voicemail: 'b' })).toEqual({ voicemail: 'b' });
    const result = broadcastTemplatesSchema.safeParse({});
    expect(result.success).toBe(false);
    expect(result.error!.issues[0]!.message).toBe('a broadcast needs an sms or a voicemail template');
    expect(broadcastTemplatesSchema.safeParse({ sms: 'a', email: 'c' }).success).toBe(false);
    expect(broadcastTemplatesSchema.safeParse({ sms: '' }).success).toBe(false);
  });

  it('fills urgent as false and takes a start time with an offset', () => {
    const b = broadcastSchema.parse({ name: 'flu-clinic', practice: 'sunrise-family', segment: 'patients', templates: { sms: 'a' }, at: '2026-10-01T09:00:00-04:00' });
    expect(b).toEqual({ name: 'flu-clinic', practice: 'sunrise-family', segment: 'patients', templates: { sms: 'a' }, at: '2026-10-01T09:00:00-04:00', urgent: false, confirmed: false });
    expect(broadcastSchema.parse({ name: 'closure', practice: 'p', segment: 's', templates: { sms: 'a' }, urgent: true }).urgent).toBe(true);
  });

  it.each<[string, Record<string, unknown>, string]>([
    ['a start time without an offset', { at: '2026-10-01T09:00:00' }, 'at'],
    ['a start date without a time', { at: '2026-10-01' }, 'at'],
    ['a name with capitals', { name: 'Flu' }, 'name'],
    ['no segment', { segment: undefined }, 'segment'],
    ['an unknown key', { channel: 'sms' }, ''],
  ])('refuses %s', (_what, over, path) => {
    const result = broadcastSchema.safeParse({ name: 'flu-clinic', practice: 'p', segment: 's', templates: { sms: 'a' }, ...over });
    expect(result.success).toBe(false);
    expect(result.error!.issues.map((i) => i.path.join('.'))).toContain(path);
  });

  it('fills the broadcasting limits', () => {
    expect(broadcastingSchema.parse(undefined)).toEqual({ confirmAbove: 25_000, sendsPerTask: 500 });
    expect(broadcastingSchema.parse({ confirmAbove: 10 })).toEqual({ confirmAbove: 10, sendsPerTask: 500 });
    expect(broadcastingSchema.safeParse({ sendsPerTask: 10_001 }).success).toBe(false);
    expect(broadcastingSchema.safeParse({ confirmAbove: 0 }).success).toBe(false);
  });
});

describe('stage config: segments, broadcasts and campaigns', () => {
  const sample = (): Json => JSON.parse(readFileSync(SAMPLE_PATH, 'utf8'));

  /** The sample with a valid set of segments, broadcasts and campaigns, changed by `change`. */
  function withBroadcasts(change: (config: Json) => void = () => {}): Json {
    const config = sample();
    config.segments = [
      { name: 'patients', practice: 'sunrise-family', filter: { tags: { anyOf: ['patient'] } } },
      { name: 'lapsed', practice: 'sunrise-family', description: 'No visit for a year', filter: { dates: { lastVisitDate: { daysAgo: { min: 365 } } } } },
      // The same name for another practice is another segment.
      { name: 'patients', practice: 'lakeside-pediatrics', filter: { statuses: ['open'] } },
    ];
    config.broadcasts = [
      { name: 'flu-clinic', practice: 'sunrise-family', segment: 'patients', templates: { sms: 'sms-care-gap', voicemail: 'voicemail-care-gap' }, at: '2026-10-01T09:00:00-04:00' },
      { name: 'closure', practice: 'lakeside-pediatrics', segment: 'patients', templates: { voicemail: 'voicemail-care-gap' }, urgent: true },
    ];
    config.campaigns = [
      { name: 'year-since-visit', practice: 'sunrise-family', segment: 'lapsed', date: { field: 'lastVisitDate', offsetDays: 365 }, templates: { sms: 'sms-care-gap' } },
      { name: 'birthday', practice: 'lakeside-pediatrics', date: { field: 'dateOfBirth', yearly: true }, templates: { sms: 'sms-practice-info' } },
      // A campaign may share a broadcast's name.
      { name: 'flu-clinic', practice: 'sunrise-family', date: { field: 'recallDate', offsetDays: -30 }, filter: { languages: ['es'] }, templates: { sms: 'sms-intro-a' } },
    ];
    config.broadcasting = { confirmAbove: 1000 };
    change(config);
    return config;
  }

  function problemsOf(input: unknown): string[] {
    try {
      parseStageConfig(input, 'stage.test.json');
    } catch (e) {
      return (e as Error).message.split('\n').slice(1).map((line) => line.replace(/^ {2}- /, ''));
    }
    throw new Error('expected the config to be refused');
  }

  it('ships a sample broadcast and a sample campaign that parse, with the default limits', () => {
    const config = parseStageConfig(sample());
    expect(config.segments.map((x) => x.name)).toEqual(['flu-shot-list', 'everyone-with-a-birthday']);
    expect(config.broadcasts).toEqual([
      { name: 'flu-shot-drive', practice: 'sunrise-family', segment: 'flu-shot-list', templates: { sms: 'sms-flu-shot', voicemail: 'voicemail-flu-shot' }, urgent: false, confirmed: false },
    ]);
    expect(config.campaigns).toEqual([
      { name: 'birthday-greeting', practice: 'sunrise-family', segment: 'everyone-with-a-birthday', date: { field: 'dateOfBirth', offsetDays: 0, yearly: true }, at: '10:00', graceDays: 0, templates: { sms: 'sms-birthday' } },
    ]);
    expect(config.broadcasting).toEqual({ confirmAbove: 25_000, sendsPerTask: 500 });
  });

  it('parses a valid set, with their defaults', () => {
    const config = parseStageConfig(withBroadcasts());
    expect(config.segments.map((s) => `${s.practice}/${s.name}`)).toEqual(['sunrise-family/patients', 'sunrise-family/lapsed', 'lakeside-pediatrics/patients']);
    expect(config.broadcasts.map((b) => [b.name, b.urgent])).toEqual([
      ['flu-clinic', false],
      ['closure', true],
    ]);
    expect(config.campaigns[0]).toMatchObject({ date: { field: 'lastVisitDate', offsetDays: 365, yearly: false }, at: '10:00', graceDays: 1 });
    expect(config.campaigns[1]!.date).toEqual({ field: 'dateOfBirth', offsetDays: 0, yearly: true });
    expect(config.broadcasting).toEqual({ confirmAbove: 1000, sendsPerTask: 500 });
  });

  it.each<[string, (c: Json) => void, string | string[]]>([
    ['a segment of an unknown practice', (c) => c.segments.push({ name: 'anyone', practice: 'nowhere-clinic', filter: {} }), 'segments.3.practice: no practice "nowhere-clinic"'],
    ['a duplicate segment for one practice', (c) => c.segments.push({ name: 'lapsed', practice: 'sunrise-family', filter: {} }), 'segments.3.name: duplicate segment "lapsed" for practice sunrise-family'],
    ['a broadcast of an unknown practice (its segment then unknown too)', (c) => (c.broadcasts[0].practice = 'nowhere-clinic'), [
      'broadcasts.0.practice: no practice "nowhere-clinic"',
      'broadcasts.0.segment: no segment "patients" for practice nowhere-clinic in segments',
    ]],
    ['a broadcast to an unknown segment', (c) => (c.broadcasts[0].segment = 'everyone'), 'broadcasts.0.segment: no segment "everyone" for practice sunrise-family in segments'],
    ["a broadcast to another practice's segment", (c) => (c.broadcasts[1].segment = 'lapsed'), 'broadcasts.1.segment: no segment "lapsed" for practice lakeside-pediatrics in segments'],
    ['a duplicate broadcast name', (c) => c.broadcasts.push({ ...c.broadcasts[1], practice: 'sunrise-family', segment: 'patients', name: 'flu-clinic' }), 'broadcasts.2.name: duplicate name "flu-clinic"'],
    ['a broadcast template that does not exist', (c) => (c.broadcasts[0].templates.sms = 'sms-nope'), 'broadcasts.0.templates.sms: no template "sms-nope" in templates'],
    ['a voicemail template in the sms slot', (c) => (c.broadcasts[0].templates.sms = 'voicemail-intro'), 'broadcasts.0.templates.sms: template "voicemail-intro" is a voicemail template, not sms'],
    ['an sms template in the voicemail slot', (c) => (c.broadcasts[1].templates.voicemail = 'sms-care-gap'), 'broadcasts.1.templates.voicemail: template "sms-care-gap" is a sms template, not voicemail'],
    ['a call template', (c) => (c.broadcasts[1].templates.voicemail = 'call-care-gap'), 'broadcasts.1.templates.voicemail: template "call-care-gap" is a call template, not voicemail'],
    ['an appointment sms template', (c) => (c.broadcasts[0].templates.sms = 'sms-appointment-reminder'), 'broadcasts.0.templates.sms: template "sms-appointment-reminder" needs an appointment to fill in; a broadcast has none'],
    ['a campaign of an unknown practice', (c) => (c.campaigns[1].practice = 'nowhere-clinic'), 'campaigns.1.practice: no practice "nowhere-clinic"'],
    ['a campaign limited to an unknown segment', (c) => (c.campaigns[0].segment = 'lost'), 'campaigns.0.segment: no segment "lost" for practice sunrise-family in segments'],
    ['a duplicate campaign name', (c) => c.campaigns.push({ ...c.campaigns[1] }), 'campaigns.3.name: duplicate name "birthday"'],
    ['a campaign template that does not exist', (c) => (c.campaigns[2].templates = { voicemail: 'voicemail-nope' }), 'campaigns.2.templates.voicemail: no template "voicemail-nope" in templates'],
    ['a campaign with a wrong-channel template', (c) => (c.campaigns[2].templates.sms = 'postcard-welcome'), 'campaigns.2.templates.sms: template "postcard-welcome" is a postcard template, not sms'],
    ['an appointment template in a campaign', (c) => (c.campaigns[1].templates.sms = 'sms-appointment-confirm'), 'campaigns.1.templates.sms: template "sms-appointment-confirm" needs an appointment to fill in; a broadcast has none'],
  ])('reports %s with its path', (_what, change, problem) => {
    expect(problemsOf(withBroadcasts(change))).toEqual(typeof problem === 'string' ? [problem] : problem);
  });

  it('reports every problem at once', () => {
    const problems = problemsOf(
      withBroadcasts((c) => {
        c.broadcasts[0].segment = 'everyone';
        c.broadcasts[1].templates.voicemail = 'sms-care-gap';
        c.campaigns[0].practice = 'nowhere-clinic';
      }),
    );
    expect(problems).toEqual([
      'broadcasts.0.segment: no segment "everyone" for practice sunrise-family in segments',
      'broadcasts.1.templates.voicemail: template "sms-care-gap" is a sms template, not voicemail',
      'campaigns.0.practice: no practice "nowhere-clinic"',
      'campaigns.0.segment: no segment "lapsed" for practice nowhere-clinic in segments',
    ]);
  });

  it('reports a bad filter inside a segment with its path', () => {
    const problems = problemsOf(withBroadcasts((c) => (c.segments[0].filter = { zips: ['98'] })));
    expect(problems).toEqual(['segments.0.filter.zips.0: a ZIP code or its first 3–4 digits']);
  });

  it('reports a bad field name in a segment filter with why', () => {
    const problems = problemsOf(withBroadcasts((c) => (c.segments[0].filter = { dates: { 'last visit': { present: true } } })));
    expect(problems).toEqual(['segments.0.filter.dates.last visit: Invalid key in record: a field name']);
  });

  it('reports a broadcast without templates', () => {
    expect(problemsOf(withBroadcasts((c) => (c.broadcasts[0].templates = {})))).toEqual(['broadcasts.0.templates: a broadcast needs an sms or a voicemail template']);
  });
});
