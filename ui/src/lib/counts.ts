// Counts at the top of the cards view, and which card states a filter chip selects.
// The shell computes the same thing in SQL; this is the reference (and the mock's).
import type { CardState, Counts, StateFilter } from './types';

/** Which count (and which filter) a card state belongs to, if any. */
export function countBucket(state: CardState): keyof Counts | null {
  switch (state) {
    case 'all-delivered':
      return 'delivered';
    case 'failed':
    case 'partially-delivered':
      return 'failed';
    case 'pending':
      return 'pending';
    case 'overdue':
      return 'overdue';
    default:
      return null;
  }
}

export function emptyCounts(): Counts {
  return { delivered: 0, failed: 0, pending: 0, overdue: 0 };
}

export function countStates(states: Iterable<CardState>): Counts {
  const c = emptyCounts();
  for (const s of states) {
    const b = countBucket(s);
    if (b) c[b]++;
  }
  return c;
}

/** Does a card in `state` pass the state filter? An empty filter passes everything. */
export function matchesStates(state: CardState, filter: readonly StateFilter[] | undefined): boolean {
  if (!filter || filter.length === 0) return true;
  if (state === 'not-accepted') return filter.includes('not-accepted');
  const b = countBucket(state);
  return b != null && filter.includes(b);
}
