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
  test('a keystroke is sent at once: no debounce', async () => {
    const run = vi.fn(async (q: string) => `r:${q}`);
    const onResult = vi.fn();
    const s = latest<string, string>({ run, onResult });
    s.schedule('r');
    expect(run).toHaveBeenCalledTimes(1);
    expect(run.mock.calls[0][0]).toBe('r');
    await Promise.resolve();
    await Promise.resolve();
    expect(onResult).toHaveBeenCalledWith('r:r', 'r');
  });

  test('keystrokes while a request is in flight coalesce into one, for the last text', async () => {
    const gates = new Map<string, ReturnType<typeof deferred<string>>>();
    const run = vi.fn((q: string) => {
      const d = deferred<string>();
      gates.set(q, d);
      return d.p;
    });
    const shown: string[] = [];
    const s = latest<string, string>({ run, onResult: (r) => shown.push(r) });
    s.schedule('r');
    s.schedule('ri');
    s.schedule('ric');
    expect(run.mock.calls.map((c) => c[0])).toEqual(['r']);
    gates.get('r')!.resolve('R');
    await vi.advanceTimersByTimeAsync(0);
    // 'r' is stale (newer text typed): dropped; then only the last text goes out.
    expect(run.mock.calls.map((c) => c[0])).toEqual(['r', 'ric']);
    gates.get('ric')!.resolve('RIC');
    await vi.advanceTimersByTimeAsync(0);
    expect(shown).toEqual(['RIC']);
    expect(s.started).toBe(2);
    expect(s.dropped).toBe(1);
  });

  test('a stale answer arriving after a newer one never overwrites it', async () => {
    const gates = new Map<string, ReturnType<typeof deferred<string>>>();
    const run = (q: string) => {
      const d = deferred<string>();
      gates.set(q, d);
      return d.p;
    };
    const shown: string[] = [];
    const s = latest<string, string>({ run, onResult: (r) => shown.push(r), stallMs: 50 });
    s.schedule('a');
    s.schedule('ab');
    // 'a' hangs: after stallMs the queued 'ab' goes out alongside it.
    await vi.advanceTimersByTimeAsync(50);
    expect([...gates.keys()]).toEqual(['a', 'ab']);
    gates.get('ab')!.resolve('AB');
    await vi.advanceTimersByTimeAsync(0);
    gates.get('a')!.resolve('A'); // the late answer to the old text
    await vi.advanceTimersByTimeAsync(0);
    expect(shown).toEqual(['AB']);
    expect(s.dropped).toBe(1);
  });

  test('answers in order, each the latest when it lands, are all applied', async () => {
    const shown: string[] = [];
    const s = latest<string, string>({ run: async (q) => q.toUpperCase(), onResult: (r) => shown.push(r) });
    for (const q of ['p', 'pr', 'pra']) {
      s.schedule(q);
      await vi.advanceTimersByTimeAsync(0);
    }
    expect(shown).toEqual(['P', 'PR', 'PRA']);
    expect(s.dropped).toBe(0);
  });

  test('an optional delay debounces; now() skips it; cancel() drops everything', async () => {
    const run = vi.fn(async (q: string) => q);
    const onResult = vi.fn();
    const s = latest<string, string>({ delay: 40, run, onResult });
    s.schedule('r');
    vi.advanceTimersByTime(20);
    s.schedule('ri');
    expect(run).not.toHaveBeenCalled();
    await vi.advanceTimersByTimeAsync(40);
    expect(run.mock.calls.map((c) => c[0])).toEqual(['ri']);
    expect(onResult).toHaveBeenCalledWith('ri', 'ri');
    s.now('x');
    expect(run).toHaveBeenCalledTimes(2);
    s.cancel();
    await vi.runAllTimersAsync();
    expect(onResult).toHaveBeenCalledTimes(1);
    s.schedule('y');
    s.cancel();
    await vi.runAllTimersAsync();
    expect(run).toHaveBeenCalledTimes(2);
  });

  test('errors of the latest request are reported, stale ones are not', async () => {
    const onError = vi.fn();
    const gates: ReturnType<typeof deferred<string>>[] = [];
    const s = latest<string, string>({
      run: (q) => {
        if (q === 'boom') throw new Error('sync');
        const d = deferred<string>();
        gates.push(d);
        return d.p.then((v) => Promise.reject(new Error(v)));
      },
      onResult: () => {},
      onError,
    });
    s.now('a');
    s.now('b'); // queued behind 'a'
    gates[0].resolve('ea');
    await vi.advanceTimersByTimeAsync(0);
    expect(onError).not.toHaveBeenCalled();
    gates[1].resolve('eb');
    await vi.advanceTimersByTimeAsync(0);
    expect(onError).toHaveBeenCalledTimes(1);
    expect((onError.mock.calls[0][0] as Error).message).toBe('eb');
    // A run that throws instead of rejecting is reported the same way.
    s.now('boom');
    await vi.advanceTimersByTimeAsync(0);
    expect((onError.mock.calls[1][0] as Error).message).toBe('sync');
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
