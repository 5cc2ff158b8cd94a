import { describe, expect, test } from 'vitest';
import { computeWindow, pagesFor, scrollTopToReveal, virtualScroll } from './virtual';

const H = 64;

describe('virtual list window math', () => {
  test('top of the list', () => {
    const w = computeWindow({ scrollTop: 0, viewport: 640, rowHeight: H, total: 100_000, overscan: 5 });
    expect(w.start).toBe(0);
    expect(w.firstVisible).toBe(0);
    expect(w.lastVisible).toBe(9);
    expect(w.end).toBe(15);
    expect(w.offset).toBe(0);
    expect(w.height).toBe(6_400_000);
  });

  test('middle: partial rows count as visible; offset is the start row top', () => {
    const w = computeWindow({ scrollTop: 64 * 1000 + 10, viewport: 640, rowHeight: H, total: 100_000, overscan: 5 });
    expect(w.firstVisible).toBe(1000);
    expect(w.lastVisible).toBe(1010);
    expect(w.start).toBe(995);
    expect(w.end).toBe(1016);
    expect(w.offset).toBe(995 * H);
  });

  test('bottom: row 99,999 is rendered and the window is clamped', () => {
    const w = computeWindow({ scrollTop: 1e12, viewport: 640, rowHeight: H, total: 100_000, overscan: 5 });
    expect(w.lastVisible).toBe(99_999);
    expect(w.end).toBe(100_000);
    expect(w.firstVisible).toBe(99_990);
  });

  test('empty and tiny lists', () => {
    expect(computeWindow({ scrollTop: 0, viewport: 640, rowHeight: H, total: 0 })).toMatchObject({ start: 0, end: 0, height: 0, lastVisible: -1 });
    const w = computeWindow({ scrollTop: 0, viewport: 640, rowHeight: H, total: 3 });
    expect([w.start, w.end, w.lastVisible]).toEqual([0, 3, 2]);
  });

  test('compressed scroll range for huge lists keeps first and last rows reachable', () => {
    const total = 10_000_000;
    const max = 1_000_000;
    const top = computeWindow({ scrollTop: 0, viewport: 600, rowHeight: H, total, maxHeight: max, overscan: 0 });
    expect(top.height).toBe(max);
    expect(top.firstVisible).toBe(0);
    const bottom = computeWindow({ scrollTop: max - 600, viewport: 600, rowHeight: H, total, maxHeight: max, overscan: 0 });
    expect(bottom.lastVisible).toBe(total - 1);
    // Rows are placed relative to the viewport: the last row ends at the viewport bottom.
    const lastTop = bottom.offset + (total - 1 - bottom.start) * H;
    expect(lastTop + H).toBeCloseTo(max, 5);
    const mid = computeWindow({ scrollTop: (max - 600) / 2, viewport: 600, rowHeight: H, total, maxHeight: max, overscan: 0 });
    expect(Math.abs(mid.firstVisible - total / 2)).toBeLessThan(10);
  });

  test('reveal: no movement when visible, minimal movement otherwise', () => {
    expect(scrollTopToReveal(3, 0, 640, H, 1000)).toBe(0);
    expect(scrollTopToReveal(10, 0, 640, H, 1000)).toBe(11 * H - 640);
    expect(scrollTopToReveal(2, 50 * H, 640, H, 1000)).toBe(2 * H);
    expect(scrollTopToReveal(999, 0, 640, H, 1000)).toBe(1000 * H - 640);
  });

  test('reveal in compressed mode lands the row in the window', () => {
    const total = 10_000_000;
    const max = 1_000_000;
    for (const i of [0, 1234, 5_000_000, total - 1]) {
      const st = scrollTopToReveal(i, 0, 600, H, total, max);
      const w = computeWindow({ scrollTop: st, viewport: 600, rowHeight: H, total, maxHeight: max, overscan: 0 });
      expect(i).toBeGreaterThanOrEqual(w.firstVisible);
      expect(i).toBeLessThanOrEqual(w.lastVisible);
    }
    expect(virtualScroll(0, 600, H, total, max)).toBe(0);
  });

  test('pages covering a window', () => {
    expect(pagesFor(0, 10, 100)).toEqual([0]);
    expect(pagesFor(95, 205, 100)).toEqual([0, 1, 2]);
    expect(pagesFor(99_990, 100_000, 100)).toEqual([999]);
    expect(pagesFor(5, 5, 100)).toEqual([]);
  });
});
