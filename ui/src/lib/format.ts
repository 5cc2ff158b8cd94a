// Dates are always shown in Europe/Rome, with the zone (CET/CEST) written out, whatever
// the machine's own time zone: PEC times are legal facts stated in Italian time.
import type { Language } from './types';

export const TIME_ZONE = 'Europe/Rome';

const partsFmt = new Intl.DateTimeFormat('en-GB', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  second: '2-digit',
  hourCycle: 'h23',
  timeZoneName: 'short',
});

interface RomeParts {
  year: string;
  month: string;
  day: string;
  hour: string;
  minute: string;
  second: string;
  zone: string;
}

const cache = new Map<string, RomeParts>();

function parse(iso: string): Date | null {
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? null : d;
}

/** Calendar parts of an instant in Europe/Rome; zone is `CET` or `CEST`. */
export function romeParts(iso: string): RomeParts | null {
  const hit = cache.get(iso);
  if (hit) return hit;
  const d = parse(iso);
  if (!d) return null;
  const p: Record<string, string> = {};
  for (const part of partsFmt.formatToParts(d)) p[part.type] = part.value;
  let zone = p.timeZoneName ?? '';
  // Some ICU builds say GMT+1 / GMT+2: normalise to the names Italians read.
  if (zone === 'GMT+1' || zone === 'UTC+1') zone = 'CET';
  if (zone === 'GMT+2' || zone === 'UTC+2') zone = 'CEST';
  const r: RomeParts = {
    year: p.year,
    month: p.month,
    day: p.day,
    hour: p.hour === '24' ? '00' : p.hour,
    minute: p.minute,
    second: p.second,
    zone,
  };
  if (cache.size > 50_000) cache.clear();
  cache.set(iso, r);
  return r;
}

/** `22/11/2026 14:28:12 CET` (Italian) or `22 Nov 2026 14:28:12 CET` (English). */
export function formatDateTime(iso: string | null | undefined, lang: Language, withSeconds = true): string {
  if (!iso) return '—';
  const p = romeParts(iso);
  if (!p) return iso;
  const time = withSeconds ? `${p.hour}:${p.minute}:${p.second}` : `${p.hour}:${p.minute}`;
  return `${formatDay(p, lang)} ${time} ${p.zone}`;
}

const EN_MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function formatDay(p: RomeParts, lang: Language): string {
  return lang === 'it' ? `${p.day}/${p.month}/${p.year}` : `${Number(p.day)} ${EN_MONTHS[Number(p.month) - 1]} ${p.year}`;
}

/** Date only, in Europe/Rome. */
export function formatDate(iso: string | null | undefined, lang: Language): string {
  if (!iso) return '—';
  const p = romeParts(iso);
  return p ? formatDay(p, lang) : iso;
}

/** `YYYY-MM-DD` of the Europe/Rome calendar day of an instant (for date filters). */
export function romeDay(iso: string): string | null {
  const p = romeParts(iso);
  return p ? `${p.year}-${p.month}-${p.day}` : null;
}

/** A date-only string `YYYY-MM-DD` shown in the user's format (no zone: it is a day). */
export function formatPlainDay(day: string, lang: Language): string {
  const m = /^(\d{4})-(\d{2})-(\d{2})/.exec(day);
  if (!m) return day;
  return formatDay({ year: m[1], month: m[2], day: m[3], hour: '', minute: '', second: '', zone: '' }, lang);
}

/** Elapsed time between two instants, e.g. `2 min`, `3 h 5 min`, `2 g` / `2 d`. */
export function formatElapsed(fromIso: string | null, toIso: string | null, lang: Language): string | null {
  if (!fromIso || !toIso) return null;
  const a = parse(fromIso);
  const b = parse(toIso);
  if (!a || !b) return null;
  let s = Math.max(0, Math.round((b.getTime() - a.getTime()) / 1000));
  if (s < 60) return `${s} s`;
  const days = Math.floor(s / 86400);
  s -= days * 86400;
  const h = Math.floor(s / 3600);
  const m = Math.floor((s % 3600) / 60);
  const d = lang === 'it' ? 'g' : 'd';
  if (days > 0) return h > 0 ? `${days} ${d} ${h} h` : `${days} ${d}`;
  if (h > 0) return m > 0 ? `${h} h ${m} min` : `${h} h`;
  return `${m} min`;
}

// Number formatters, made once per language: constructing an Intl formatter resolves
// locale data each time, and the counts at the top are formatted at every keystroke.
const numberFormats = new Map<string, Intl.NumberFormat>();
function numberFormat(lang: Language, fractionDigits: number): Intl.NumberFormat {
  const key = `${lang}/${fractionDigits}`;
  let nf = numberFormats.get(key);
  if (!nf) {
    nf = new Intl.NumberFormat(lang === 'it' ? 'it-IT' : 'en-GB', { maximumFractionDigits: fractionDigits });
    numberFormats.set(key, nf);
  }
  return nf;
}

export function formatSize(bytes: number, lang: Language): string {
  const nf = numberFormat(lang, 1);
  if (bytes < 1024) return `${bytes} B`;
  if (bytes < 1024 * 1024) return `${nf.format(bytes / 1024)} KB`;
  if (bytes < 1024 * 1024 * 1024) return `${nf.format(bytes / 1024 / 1024)} MB`;
  return `${nf.format(bytes / 1024 / 1024 / 1024)} GB`;
}

export function formatNumber(n: number, lang: Language): string {
  return numberFormat(lang, 3).format(n);
}

/**
 * A day typed by the user: `dd/mm/yyyy` (also `d/m/yyyy`, `-` or `.` separators) or ISO
 * `yyyy-mm-dd`. Returns `YYYY-MM-DD`, '' for an empty field, null when invalid.
 */
export function parseDay(input: string): string | null {
  const s = input.trim();
  if (!s) return '';
  let y: number, m: number, d: number;
  let r = /^(\d{4})-(\d{1,2})-(\d{1,2})$/.exec(s);
  if (r) {
    [y, m, d] = [Number(r[1]), Number(r[2]), Number(r[3])];
  } else {
    r = /^(\d{1,2})[/.-](\d{1,2})[/.-](\d{4})$/.exec(s);
    if (!r) return null;
    [d, m, y] = [Number(r[1]), Number(r[2]), Number(r[3])];
  }
  if (m < 1 || m > 12 || d < 1) return null;
  const days = new Date(Date.UTC(y, m, 0)).getUTCDate();
  if (d > days || y < 1990 || y > 2200) return null;
  return `${y}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/** Time of day in Europe/Rome with the zone: `10:46:34 CET`. */
export function formatTime(iso: string | null | undefined, withSeconds = true): string {
  if (!iso) return '—';
  const p = romeParts(iso);
  if (!p) return iso;
  return `${p.hour}:${p.minute}${withSeconds ? `:${p.second}` : ''} ${p.zone}`;
}
