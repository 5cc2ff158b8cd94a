// The first page of cards, asked for as the app starts, in parallel with its settings
// and sources: the list's own first request takes it instead of asking again. Used at
// most once, only for the default view, and forgotten when cards change.
import { listCards, onCardsChanged } from './ipc';
import type { CardPage, ListCardsArgs } from './types';

let first: { limit: number; page: Promise<CardPage> } | null = null;

export function prefetchFirstPage(limit: number) {
  const page = listCards({ sort: 'newest', offset: 0, limit });
  page.catch(() => {});
  first = { limit, page };
  onCardsChanged(() => (first = null)).catch(() => {});
}

/** The prefetched page when `args` ask for exactly it (once), else null. */
export function takeFirstPage(args: ListCardsArgs): Promise<CardPage> | null {
  const f = first;
  first = null;
  const keys = Object.keys(args).filter((k) => args[k as keyof ListCardsArgs] !== undefined);
  const plain = keys.length === 3 && args.sort === 'newest' && args.offset === 0;
  return f && plain && args.limit === f.limit ? f.page : null;
}
