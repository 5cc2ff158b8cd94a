import { describe, expect, test } from 'vitest';
import { formatDate, formatDateTime, formatElapsed, formatPlainDay, formatSize, formatTime, parseDay, romeDay } from './format';
import { romeDayNumber, iso } from '../mock/data';

describe('dates in Europe/Rome with the zone', () => {
  test('winter time is CET (UTC+1)', () => {
    expect(formatDateTime('2026-01-15T10:00:00Z', 'it')).toBe('15/01/2026 11:00:00 CET');
    expect(formatDateTime('2026-01-15T10:00:00Z', 'en')).toBe('15 Jan 2026 11:00:00 CET');
  });

  test('summer time is CEST (UTC+2)', () => {
    expect(formatDateTime('2026-07-15T10:00:00Z', 'it')).toBe('15/07/2026 12:00:00 CEST');
  });

  test('offsets in the input are honoured', () => {
    expect(formatDateTime('2018-11-13T16:39:26+01:00', 'it')).toBe('13/11/2018 16:39:26 CET');
  });

  test('day boundary: 23:30 UTC is the next day in Rome', () => {
    expect(romeDay('2026-03-01T23:30:00Z')).toBe('2026-03-02');
    expect(formatDate('2026-03-01T23:30:00Z', 'it')).toBe('02/03/2026');
  });

  test('DST switch (last Sunday of March, 01:00 UTC)', () => {
    expect(formatDateTime('2026-03-29T00:59:59Z', 'it')).toBe('29/03/2026 01:59:59 CET');
    expect(formatDateTime('2026-03-29T01:00:00Z', 'it')).toBe('29/03/2026 03:00:00 CEST');
  });

  test('the mock day numbers agree with Intl', () => {
    for (const s of ['2026-03-29T00:30:00Z', '2026-03-29T22:30:00Z', '2026-10-25T00:30:00Z', '2026-10-25T23:30:00Z', '2025-12-31T23:00:00Z']) {
      expect(String(romeDayNumber(Date.parse(s)))).toBe(romeDay(s)!.replace(/-/g, ''));
    }
  });

  test('fast ISO formatting matches Date', () => {
    for (const ms of [0, 951782400000, 1709251199000, Date.parse('2026-11-20T10:00:59Z')]) expect(iso(ms)).toBe(new Date(ms).toISOString().slice(0, 19) + 'Z');
  });

  test('time of day alone, with the zone', () => {
    expect(formatTime('2026-07-15T10:00:05Z')).toBe('12:00:05 CEST');
    expect(formatTime('2026-01-15T10:00:05Z', false)).toBe('11:00 CET');
  });

  test('missing and invalid values', () => {
    expect(formatDateTime(null, 'it')).toBe('—');
    expect(formatDateTime('not a date', 'it')).toBe('not a date');
  });

  test('plain days, elapsed times and sizes', () => {
    expect(formatPlainDay('2020-12-03', 'it')).toBe('03/12/2020');
    expect(formatPlainDay('2020-12-03', 'en')).toBe('3 Dec 2020');
    expect(formatElapsed('2026-01-01T10:00:00Z', '2026-01-01T10:00:12Z', 'it')).toBe('12 s');
    expect(formatElapsed('2026-01-01T10:00:00Z', '2026-01-01T13:05:00Z', 'it')).toBe('3 h 5 min');
    expect(formatElapsed('2026-01-01T10:00:00Z', '2026-01-03T11:00:00Z', 'it')).toBe('2 g 1 h');
    expect(formatElapsed('2026-01-01T10:00:00Z', '2026-01-03T10:00:00Z', 'en')).toBe('2 d');
    expect(formatSize(183442, 'it')).toBe('179,1 KB');
    expect(formatSize(4_000_000, 'en')).toBe('3.8 MB');
  });
});

describe('typed days', () => {
  test('dd/mm/yyyy and ISO are accepted, impossible days are not', () => {
    expect(parseDay('02/03/2026')).toBe('2026-03-02');
    expect(parseDay('2/3/2026')).toBe('2026-03-02');
    expect(parseDay('2.3.2026')).toBe('2026-03-02');
    expect(parseDay('2026-03-02')).toBe('2026-03-02');
    expect(parseDay('  ')).toBe('');
    expect(parseDay('29/02/2024')).toBe('2024-02-29');
    expect(parseDay('29/02/2026')).toBeNull();
    expect(parseDay('31/04/2026')).toBeNull();
    expect(parseDay('13/13/2026')).toBeNull();
    expect(parseDay('ieri')).toBeNull();
  });
});
