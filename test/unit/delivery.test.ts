import { changedDeliveryOutcome, deliveryOutcome, readDeliveryEvent, supersedes, type Delivery } from '../../lambdas/domain/delivery';

const event = (eventType: string, at: number): Delivery => ({ ...readDeliveryEvent(eventType), eventType, at });

/** Every order of `events` applied one by one with `supersedes`: the record each order ends with. */
function endings(events: readonly Delivery[]): Set<string> {
  const out = new Set<string>();
  const permute = (rest: readonly Delivery[], current: Delivery | undefined): void => {
    if (rest.length === 0) return void out.add(JSON.stringify(current));
    rest.forEach((e, i) => permute([...rest.slice(0, i), ...rest.slice(i + 1)], supersedes(e, current) ? e : current));
  };
  permute(events, undefined);
  return out;
}

describe('delivery events', () => {
  it('read each event type in the system\'s words, with what a failure says about the number', () => {
    expect(readDeliveryEvent('TEXT_DELIVERED')).toEqual({ status: 'delivered', final: true });
    expect(readDeliveryEvent('TEXT_QUEUED')).toEqual({ status: 'queued', final: false });
    expect(readDeliveryEvent('TEXT_INVALID')).toEqual({ status: 'invalid-number', final: true, failure: 'permanent' });
    expect(readDeliveryEvent('TEXT_CARRIER_UNREACHABLE')).toEqual({ status: 'unreachable', final: true, failure: 'transient' });
    expect(readDeliveryEvent('TEXT_SPAM')).toEqual({ status: 'spam', final: true, failure: 'transient' });
    expect(readDeliveryEvent('VOICE_NO_ANSWER')).toEqual({ status: 'no-answer', final: true, failure: 'transient' });
    expect(readDeliveryEvent('VOICE_ANSWERED')).toEqual({ status: 'answered', final: false });
    expect(readDeliveryEvent('TEXT_SOMETHING_NEW')).toEqual({ status: 'unknown', final: true, failure: 'transient' });
  });

  it('end the same in any order: a final event beats a passing one, the latest of a kind wins, a duplicate changes nothing', () => {
    const queued = event('TEXT_QUEUED', 100);
    const pending = event('TEXT_PENDING', 150);
    const accepted = event('TEXT_SUCCESSFUL', 200);
    const delivered = event('TEXT_DELIVERED', 300);
    expect([...endings([queued, pending, accepted, delivered])]).toEqual([JSON.stringify(delivered)]);
    expect([...endings([queued, accepted, { ...accepted }])]).toEqual([JSON.stringify(accepted)]);
    // A passing event stamped after the final one still does not replace it.
    expect([...endings([accepted, event('TEXT_PENDING', 999)])]).toEqual([JSON.stringify(accepted)]);
    // Two events at one instant: one of them, always the same.
    expect(endings([event('TEXT_UNREACHABLE', 500), event('TEXT_TTL_EXPIRED', 500)]).size).toBe(1);
  });
});

describe('delivery outcomes (the DeliveryEvents metric)', () => {
  it('count a failure as failed, a final event that is not one as delivered, and nothing while the message is under way', () => {
    expect(deliveryOutcome(readDeliveryEvent('TEXT_DELIVERED'))).toBe('delivered');
    expect(deliveryOutcome(readDeliveryEvent('TEXT_SUCCESSFUL'))).toBe('delivered');
    expect(deliveryOutcome(readDeliveryEvent('VOICE_COMPLETED'))).toBe('delivered');
    expect(deliveryOutcome(readDeliveryEvent('TEXT_CARRIER_UNREACHABLE'))).toBe('failed');
    expect(deliveryOutcome(readDeliveryEvent('TEXT_OPTED_OUT'))).toBe('failed');
    expect(deliveryOutcome(readDeliveryEvent('VOICE_NO_ANSWER'))).toBe('failed');
    expect(deliveryOutcome(readDeliveryEvent('TEXT_QUEUED'))).toBeUndefined();
    expect(deliveryOutcome(readDeliveryEvent('VOICE_ANSWERED'))).toBeUndefined();
  });

  it('count a message once when the carrier accepts it and then reports it delivered, and again only when its outcome changes', () => {
    const accepted = event('TEXT_SUCCESSFUL', 200);
    const delivered = event('TEXT_DELIVERED', 300);
    expect(changedDeliveryOutcome(undefined, event('TEXT_QUEUED', 100))).toBeUndefined();
    expect(changedDeliveryOutcome(event('TEXT_QUEUED', 100), accepted)).toBe('delivered');
    expect(changedDeliveryOutcome(accepted, delivered)).toBeUndefined();
    expect(changedDeliveryOutcome(accepted, event('TEXT_CARRIER_UNREACHABLE', 400))).toBe('failed');
    expect(changedDeliveryOutcome(undefined, event('TEXT_INVALID', 100))).toBe('failed');
  });
});
