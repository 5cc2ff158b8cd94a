import { describe, expect, test } from 'vitest';
import { cardChip, integrityChip, meaningChip, recipientChip, summariseRecipients, trustChip } from './chips';
import { it } from './i18n';
import type { CardState, RecipientState } from './types';

describe('state -> chip', () => {
  test('recipient states map to the Italian labels of the product issue', () => {
    const want: Record<string, string> = {
      delivered: 'consegnata',
      failed: 'mancata consegna',
      warned: 'preavviso',
      pending: 'in attesa',
      overdue: 'scaduta',
      'not-provable': 'non certificato',
    };
    for (const [s, label] of Object.entries(want)) expect(it[recipientChip(s as RecipientState).label]).toBe(label);
  });

  test('tones: success, failure, warning, waiting, late, neutral', () => {
    expect(recipientChip('delivered').tone).toBe('ok');
    expect(recipientChip('failed').tone).toBe('bad');
    expect(recipientChip('warned').tone).toBe('warn');
    expect(recipientChip('pending').tone).toBe('wait');
    expect(recipientChip('overdue').tone).toBe('late');
    expect(recipientChip('not-provable').tone).toBe('neutral');
  });

  test('every chip has a text glyph as well as a colour', () => {
    const rs: RecipientState[] = ['delivered', 'failed', 'warned', 'pending', 'overdue', 'not-provable', 'received', 'listed'];
    const cs: CardState[] = ['all-delivered', 'partially-delivered', 'failed', 'pending', 'overdue', 'not-accepted', 'received'];
    for (const c of [...rs.map(recipientChip), ...cs.map(cardChip)]) {
      expect(c.glyph.length).toBeGreaterThan(0);
      expect(c.label in it).toBe(true);
    }
    expect(new Set(rs.map((s) => recipientChip(s).label)).size).toBe(rs.length);
  });

  test('unknown values degrade to a neutral chip', () => {
    expect(recipientChip('bogus' as RecipientState).tone).toBe('neutral');
    expect(cardChip('bogus' as CardState).label).toBe('chip.unknown');
  });

  test('verification chips are three separate answers', () => {
    expect(integrityChip('intact').tone).toBe('ok');
    expect(integrityChip('broken').tone).toBe('bad');
    expect(integrityChip('detached').tone).toBe('warn');
    expect(integrityChip('unsigned').tone).toBe('neutral');
    expect(trustChip('trusted').tone).toBe('ok');
    expect(trustChip('untrusted').tone).toBe('bad');
    expect(trustChip('indeterminate').tone).toBe('warn');
    expect(meaningChip(0, true).label).toBe('verify.meaning.consistent');
    expect(meaningChip(2, true).tone).toBe('bad');
    expect(meaningChip(0, false).label).toBe('verify.meaning.none');
    expect(meaningChip(0, true, false).label).toBe('verify.meaning.unverifiable');
    expect(meaningChip(0, true, false).tone).not.toBe('ok');
  });

  test('summary groups recipients, failures first', () => {
    expect(summariseRecipients(['delivered', 'failed', 'delivered', 'not-provable'])).toEqual([
      { state: 'failed', n: 1 },
      { state: 'delivered', n: 2 },
      { state: 'not-provable', n: 1 },
    ]);
  });
});
