// State -> chip: a label key, a tone (colour) and a glyph, so that state is never
// told by colour alone.
import type { CardState, Integrity, RecipientState, TrustStatus } from './types';
import type { MsgKey } from './i18n';

export type Tone = 'ok' | 'bad' | 'warn' | 'wait' | 'late' | 'neutral' | 'info';

export interface Chip {
  label: MsgKey;
  tone: Tone;
  /** A text glyph shown before the label (aria-hidden). */
  glyph: string;
}

const RECIPIENT: Record<RecipientState, Chip> = {
  delivered: { label: 'chip.delivered', tone: 'ok', glyph: '✓' },
  failed: { label: 'chip.failed', tone: 'bad', glyph: '✕' },
  warned: { label: 'chip.warned', tone: 'warn', glyph: '!' },
  pending: { label: 'chip.pending', tone: 'wait', glyph: '…' },
  overdue: { label: 'chip.overdue', tone: 'late', glyph: '◷' },
  'not-provable': { label: 'chip.notProvable', tone: 'neutral', glyph: '?' },
  received: { label: 'chip.received', tone: 'info', glyph: '↓' },
  listed: { label: 'chip.listed', tone: 'neutral', glyph: '·' },
};

const CARD: Record<CardState, Chip> = {
  'all-delivered': { label: 'card.allDelivered', tone: 'ok', glyph: '✓' },
  'partially-delivered': { label: 'card.partiallyDelivered', tone: 'bad', glyph: '◐' },
  failed: { label: 'card.failed', tone: 'bad', glyph: '✕' },
  pending: { label: 'card.pending', tone: 'wait', glyph: '…' },
  overdue: { label: 'card.overdue', tone: 'late', glyph: '◷' },
  'not-accepted': { label: 'card.notAccepted', tone: 'bad', glyph: '⊘' },
  received: { label: 'card.received', tone: 'info', glyph: '↓' },
};

export function recipientChip(state: RecipientState): Chip {
  return RECIPIENT[state] ?? { label: 'chip.unknown', tone: 'neutral', glyph: '?' };
}

export function cardChip(state: CardState): Chip {
  return CARD[state] ?? { label: 'chip.unknown', tone: 'neutral', glyph: '?' };
}

export function integrityChip(s: Integrity): Chip {
  switch (s) {
    case 'intact':
      return { label: 'verify.integrity.intact', tone: 'ok', glyph: '✓' };
    case 'broken':
      return { label: 'verify.integrity.broken', tone: 'bad', glyph: '✕' };
    case 'unsigned':
      return { label: 'verify.integrity.unsigned', tone: 'neutral', glyph: '—' };
    case 'detached':
      return { label: 'verify.integrity.detached', tone: 'warn', glyph: '!' };
  }
}

export function trustChip(s: TrustStatus): Chip {
  switch (s) {
    case 'trusted':
      return { label: 'verify.trust.trusted', tone: 'ok', glyph: '✓' };
    case 'untrusted':
      return { label: 'verify.trust.untrusted', tone: 'bad', glyph: '✕' };
    case 'indeterminate':
      return { label: 'verify.trust.indeterminate', tone: 'warn', glyph: '?' };
  }
}

/** Meaning: the signed daticert against the headers. Without a signature the daticert
 * proves nothing, so there is nothing to call consistent. */
export function meaningChip(inconsistencies: number, hasDaticert: boolean, signed = true): Chip {
  if (hasDaticert && !signed) return { label: 'verify.meaning.unverifiable', tone: 'warn', glyph: '?' };
  if (!hasDaticert) return { label: 'verify.meaning.none', tone: 'neutral', glyph: '—' };
  return inconsistencies === 0
    ? { label: 'verify.meaning.consistent', tone: 'ok', glyph: '✓' }
    : { label: 'verify.meaning.inconsistent', tone: 'bad', glyph: '✕' };
}

/** Recipient states in the order a summary lists them. */
export const RECIPIENT_ORDER: RecipientState[] = ['failed', 'overdue', 'warned', 'pending', 'delivered', 'not-provable', 'received', 'listed'];

/** Group a card's recipients by state, e.g. for "3 consegnata, 1 mancata consegna". */
export function summariseRecipients(states: RecipientState[]): { state: RecipientState; n: number }[] {
  const m = new Map<RecipientState, number>();
  for (const s of states) m.set(s, (m.get(s) ?? 0) + 1);
  return RECIPIENT_ORDER.filter((s) => m.has(s)).map((s) => ({ state: s, n: m.get(s)! }));
}
