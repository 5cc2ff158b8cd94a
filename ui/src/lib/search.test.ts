import { afterEach, beforeEach, describe, expect, test, vi } from 'vitest';
import { debounce, latest } from './search';
import { PagedRows } from './pager';

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

function deferred<T>() {
  let resolve!: (v: T) => void;
  const p = new Promise<T>((r) => (resolve = r));
  return { p, resolve };
}

describe('search as you type', () => {
  test('keystrokes within the delay make one request, for the last text', async () => {
    const run = vi.fn(async (q: string) => `r:${q}`);
    const onResult = vi.fn();
    const s = latest<string, string>({ delay: 40, run, onResult });
    s.schedule('r');
    vi.advanceTimersByTime(20);
    s.schedule('ri');
    vi.advanceTimersByTime(20);
    s.schedule('ric');
    expect(run).not.toHaveBeenCalled();
    vi.advanceTimersByTime(40);
    expect(run).toHaveBeenCalledTimes(1);
    expect(run.mock.calls[0][0]).toBe('ric');
    await vi.runAllTimersAsync();
    expect(onResult).toHaveBeenCalledWith('r:ric', 'ric');
  });

  test('a stale answer arriving after a newer one is dropped', async () => {
    const pending = new Map<string, ReturnType<typeof deferred<string>>>();
    const signals: AbortSignal[] = [];
    const run = (q: string, signal: AbortSignal) => {
      signals.push(signal);
      const d = deferred<string>();
      pending.set(q, d);
      return d.p;
    };
    const shown: string[] = [];
    const s = latest<string, string>({ delay: 10, run, onResult: (r) => shown.push(r) });
    s.schedule('a');
    vi.advanceTimersByTime(10);
    s.schedule('ab');
    expect(signals[0].aborted).toBe(true); // the in-flight request is cancelled
    vi.advanceTimersByTime(10);
    pending.get('ab')!.resolve('AB');
    await Promise.resolve();
    pending.get('a')!.resolve('A'); // late answer to the old query
    await vi.runAllTimersAsync();
    expect(shown).toEqual(['AB']);
    expect(s.dropped).toBe(1);
    expect(s.started).toBe(2);
  });

  test('now() bypasses the delay and cancel() drops everything', async () => {
    const onResult = vi.fn();
    const s = latest<string, string>({ delay: 1000, run: async (q) => q, onResult });
    s.now('x');
    await vi.runAllTimersAsync();
    expect(onResult).toHaveBeenCalledTimes(1);
    s.schedule('y');
    s.cancel();
    await vi.runAllTimersAsync();
    expect(onResult).toHaveBeenCalledTimes(1);
  });

  test('errors of the latest request are reported, stale ones are not', async () => {
    const onError = vi.fn();
    let n = 0;
    const s = latest<string, string>({
      delay: 0,
      run: async () => {
        n++;
        throw new Error(`e${n}`);
      },
      onResult: () => {},
      onError,
    });
    s.now('a');
    await vi.runAllTimersAsync();
    expect(onError).toHaveBeenCalledTimes(1);
  });

  test('plain debounce', () => {
    const f = vi.fn();
    const d = debounce(f, 50);
    d(1);
    d(2);
    vi.advanceTimersByTime(49);
    expect(f).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(f).toHaveBeenCalledWith(2);
    d(3);
    d.cancel();
    vi.advanceTimersByTime(100);
    expect(f).toHaveBeenCalledTimes(1);
  });
});

describe('paged rows', () => {
  test('fetches missing pages once, ignores answers for an old filter', async () => {
    vi.useRealTimers();
    let changes = 0;
    const rows = new PagedRows<number>(10, () => changes++, 3);
    const calls: number[] = [];
    const gates: ((v: { total: number; rows: number[] }) => void)[] = [];
    const fetcher = (offset: number, limit: number) => {
      calls.push(offset);
      return new Promise<{ total: number; rows: number[] }>((res) => gates.push(res)).then((v) => v ?? { total: 100, rows: Array.from({ length: limit }, (_, i) => offset + i) });
    };
    rows.reset(fetcher, 100, Array.from({ length: 10 }, (_, i) => i));
    expect(rows.get(5)).toBe(5);
    rows.ensure(5, 25);
    rows.ensure(5, 25); // dedup in-flight
    expect(calls).toEqual([10, 20]);
    gates[0]({ total: 100, rows: Array.from({ length: 10 }, (_, i) => 10 + i) });
    await new Promise((r) => setTimeout(r, 0));
    expect(rows.get(12)).toBe(12);
    // New filter: the in-flight page 2 answer must not land.
    rows.reset(fetcher, 50);
    gates[1]({ total: 100, rows: Array.from({ length: 10 }, () => -1) });
    await new Promise((r) => setTimeout(r, 0));
    expect(rows.get(21)).toBeUndefined();
    expect(rows.total).toBe(50);
    // LRU cap.
    rows.ensure(0, 50);
    for (let k = 2; k < gates.length; k++) gates[k]({ total: 50, rows: Array.from({ length: 10 }, (_, i) => k * 100 + i) });
    await new Promise((r) => setTimeout(r, 0));
    expect(rows.cachedPages).toBeLessThanOrEqual(3);
    expect(changes).toBeGreaterThan(2);
  });
});
