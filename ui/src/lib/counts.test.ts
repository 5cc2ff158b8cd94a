import { describe, expect, test } from 'vitest';
import { countBucket, countStates, matchesStates } from './counts';
import { stateOf, generateCards, MOCK_NOW, DAY } from '../mock/data';
import { MockBackend } from '../mock/backend';

describe('counts', () => {
  test('buckets: partially-delivered counts as a failure; not-accepted and received in none', () => {
    expect(countBucket('all-delivered')).toBe('delivered');
    expect(countBucket('partially-delivered')).toBe('failed');
    expect(countBucket('failed')).toBe('failed');
    expect(countBucket('pending')).toBe('pending');
    expect(countBucket('overdue')).toBe('overdue');
    expect(countBucket('not-accepted')).toBeNull();
    expect(countBucket('received')).toBeNull();
  });

  test('countStates', () => {
    expect(countStates(['all-delivered', 'failed', 'partially-delivered', 'pending', 'overdue', 'overdue', 'not-accepted'])).toEqual({
      delivered: 1,
      failed: 2,
      pending: 1,
      overdue: 2,
    });
  });

  test('state filter', () => {
    expect(matchesStates('failed', [])).toBe(true);
    expect(matchesStates('partially-delivered', ['failed'])).toBe(true);
    expect(matchesStates('all-delivered', ['failed', 'overdue'])).toBe(false);
    expect(matchesStates('not-accepted', ['not-accepted'])).toBe(true);
    expect(matchesStates('not-accepted', ['failed'])).toBe(false);
  });

  test('card state follows the archive rules (pending -> overdue after 24 h)', () => {
    const acc = MOCK_NOW - 2 * DAY;
    expect(stateOf(false, [{ state: 'delivered' }, { state: 'not-provable' }], acc, MOCK_NOW)).toBe('all-delivered');
    expect(stateOf(false, [{ state: 'delivered' }, { state: 'failed' }], acc, MOCK_NOW)).toBe('partially-delivered');
    expect(stateOf(false, [{ state: 'failed' }], acc, MOCK_NOW)).toBe('failed');
    expect(stateOf(false, [{ state: 'pending' }, { state: 'failed' }], acc, MOCK_NOW)).toBe('overdue');
    expect(stateOf(false, [{ state: 'warned' }], MOCK_NOW - DAY / 2, MOCK_NOW)).toBe('pending');
    expect(stateOf(true, [{ state: 'pending' }], null, MOCK_NOW)).toBe('not-accepted');
  });

  test('mock list_cards counts match a direct count and ignore the state filter', () => {
    const b = new MockBackend({ cards: 5000, received: 10, orphans: 2, preloaded: true });
    b.dispose();
    const direct = countStates(b.cards.map((c) => c.state));
    const page = b.listCards({ sort: 'newest', offset: 0, limit: 10 });
    expect(page.counts).toEqual(direct);
    expect(page.total).toBe(5000);
    const failed = b.listCards({ sort: 'newest', offset: 0, limit: 10, states: ['failed'] });
    expect(failed.counts).toEqual(direct);
    expect(failed.total).toBe(direct.failed);
  });

  test('the generated dataset is deterministic and newest first', () => {
    const a = generateCards(300);
    const b = generateCards(300);
    expect(a.map((c) => c.subject)).toEqual(b.map((c) => c.subject));
    for (let i = 1; i < a.length; i++) expect(Date.parse(a[i].sent_at!)).toBeLessThan(Date.parse(a[i - 1].sent_at!));
  });
});
