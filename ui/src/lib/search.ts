// Search as you type: debounce keystrokes, and make sure only the answer to the latest
// request is ever applied (earlier requests are aborted and their answers dropped,
// whatever order they come back in).

export interface LatestOptions<A, R> {
  delay: number;
  run: (arg: A, signal: AbortSignal) => Promise<R>;
  onResult: (result: R, arg: A) => void;
  onError?: (err: unknown, arg: A) => void;
}

export interface Latest<A> {
  /** Schedule a request after the debounce delay (replacing any scheduled one). */
  schedule(arg: A): void;
  /** Run now, cancelling anything scheduled or in flight. */
  now(arg: A): void;
  /** Cancel anything scheduled or in flight. */
  cancel(): void;
  /** Requests started (for tests and diagnostics). */
  readonly started: number;
  /** Answers dropped because a newer request had been made. */
  readonly dropped: number;
}

export function latest<A, R>(opts: LatestOptions<A, R>): Latest<A> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  let seq = 0;
  let controller: AbortController | null = null;
  let started = 0;
  let dropped = 0;

  function clearTimer() {
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
  }

  function fire(arg: A) {
    controller?.abort();
    const mine = ++seq;
    const ctl = new AbortController();
    controller = ctl;
    started++;
    opts.run(arg, ctl.signal).then(
      (r) => {
        if (mine !== seq || ctl.signal.aborted) {
          dropped++;
          return;
        }
        opts.onResult(r, arg);
      },
      (e) => {
        if (mine !== seq || ctl.signal.aborted) {
          dropped++;
          return;
        }
        opts.onError?.(e, arg);
      },
    );
  }

  return {
    schedule(arg: A) {
      clearTimer();
      // A new keystroke makes whatever is in flight stale already.
      seq++;
      controller?.abort();
      timer = setTimeout(() => {
        timer = null;
        fire(arg);
      }, opts.delay);
    },
    now(arg: A) {
      clearTimer();
      fire(arg);
    },
    cancel() {
      clearTimer();
      seq++;
      controller?.abort();
    },
    get started() {
      return started;
    },
    get dropped() {
      return dropped;
    },
  };
}

/** Plain trailing-edge debounce. */
export function debounce<A extends unknown[]>(fn: (...a: A) => void, delay: number): ((...a: A) => void) & { cancel(): void } {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const d = (...a: A) => {
    if (timer !== null) clearTimeout(timer);
    timer = setTimeout(() => {
      timer = null;
      fn(...a);
    }, delay);
  };
  d.cancel = () => {
    if (timer !== null) clearTimeout(timer);
    timer = null;
  };
  return d;
}
