// App-wide reactive state (Svelte 5 runes): language, toasts, what the verifier was
// asked to check. Components read `t()` so that a language switch re-renders them.
import { translate, type MsgKey, type Params } from './i18n';
import { formatDate, formatDateTime, formatNumber, formatPlainDay, formatSize, formatTime } from './format';
import type { Language } from './types';

export const ui = $state({ lang: 'it' as Language });

export function t(key: MsgKey, params?: Params): string {
  return translate(ui.lang, key, params);
}

export const fmt = {
  dt: (iso: string | null | undefined, seconds = true) => formatDateTime(iso, ui.lang, seconds),
  date: (iso: string | null | undefined) => formatDate(iso, ui.lang),
  time: (iso: string | null | undefined) => formatTime(iso),
  day: (d: string) => formatPlainDay(d, ui.lang),
  num: (n: number) => formatNumber(n, ui.lang),
  size: (n: number) => formatSize(n, ui.lang),
};

export interface Toast {
  id: number;
  tone: 'bad' | 'late' | 'info' | 'ok';
  text: string;
  cardId?: number;
}

export const toasts = $state<{ list: Toast[] }>({ list: [] });
let toastSeq = 0;

export function pushToast(t: Omit<Toast, 'id'>, ttlMs = 12000): number {
  const id = ++toastSeq;
  toasts.list.push({ ...t, id });
  if (toasts.list.length > 5) toasts.list.shift();
  if (ttlMs > 0) setTimeout(() => dismissToast(id), ttlMs);
  return id;
}

export function dismissToast(id: number): void {
  const i = toasts.list.findIndex((x) => x.id === id);
  if (i >= 0) toasts.list.splice(i, 1);
}

export function errorText(e: unknown): string {
  if (e instanceof Error) return e.message;
  return typeof e === 'string' ? e : JSON.stringify(e);
}
