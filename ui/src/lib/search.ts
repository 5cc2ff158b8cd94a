// Search as you type: each keystroke's request goes out at once (no fixed debounce: the
// shell answers a card-list request in a few ms, so waiting would only add latency),
// and only the answer to the latest request is ever applied, whatever order answers
// come back in. While a request is in flight, newer ones are coalesced: only the last
// of them is sent when it settles, so a fast typist never piles requests on the shell.

export interface LatestOptions<A, R> {
  run: (arg: A) => Promise<R>;
  onResult: (result: R, arg: A) => void;
  onError?: (err: unknown, arg: A) => void;
  /** Wait this long after the last `schedule` before sending (ms; default 0: at once).
   *  For a backend that is slow per request (full-text SQL), not for the card list. */
  delay?: number;
  /** A request in flight longer than this (ms) no longer holds newer ones back: the
   *  next is sent alongside (its answer still wins by sequence). Default 1000. */
  stallMs?: number;
}

export interface Latest<A> {
  /** A new request (a keystroke): sent at once, or after the one in flight. */
  schedule(arg: A): void;
  /** The same without the optional delay (a filter click, a refresh). */
  now(arg: A): void;
  /** Drop anything queued and ignore the answers of anything in flight. */
  cancel(): void;
  /** Requests sent (for tests and diagnostics). */
  readonly started: number;
  /** Answers dropped because a newer request had been made. */
  readonly dropped: number;
}

export function latest<A, R>(opts: LatestOptions<A, R>): Latest<A> {
  const delay = opts.delay ?? 0;
  const stallMs = opts.stallMs ?? 1000;
  /** Sequence number of the newest request made (sent or not). */
  let seq = 0;
  /** Sequence number of the newest answer applied: an older one never overwrites it. */
  let applied = 0;
  let inflight = 0;
  let inflightSince = 0;
  let queued: { arg: A; id: number } | null = null;
  let timer: ReturnType<typeof setTimeout> | null = null;
  let stallTimer: ReturnType<typeof setTimeout> | null = null;
  let started = 0;
  let dropped = 0;

  function clearTimer() {
    if (timer !== null) {
      clearTimeout(timer);
      timer = null;
    }
  }

  function clearStall() {
    if (stallTimer !== null) {
      clearTimeout(stallTimer);
      stallTimer = null;
    }
  }

  // The newest answer wins; anything older than it, or than a newer request, is stale.
  const current = (id: number) => id === seq && id > applied;

  function send(arg: A, id: number) {
    inflight++;
    inflightSince = Date.now();
    started++;
    const settle = () => {
      inflight--;
      if (inflight === 0) clearStall();
      const next = queued;
      if (next && inflight === 0) {
        queued = null;
        send(next.arg, next.id);
      }
    };
    let p: Promise<R>;
    try {
      p = opts.run(arg);
    } catch (e) {
      p = Promise.reject(e);
    }
    p.then(
      (r) => {
        if (current(id)) {
          applied = id;
          opts.onResult(r, arg);
        } else dropped++;
        settle();
      },
      (e) => {
        if (current(id)) {
          applied = id;
          opts.onError?.(e, arg);
        } else dropped++;
        settle();
      },
    );
  }

  function submit(arg: A, id: number) {
    if (inflight === 0) {
      send(arg, id);
      return;
    }
    queued = { arg, id };
    // A request that hangs must not freeze the search: after `stallMs` in flight, the
    // queued one goes out anyway.
    if (stallTimer === null) {
      const wait = Math.max(0, stallMs - (Date.now() - inflightSince));
      stallTimer = setTimeout(() => {
        stallTimer = null;
        const next = queued;
        if (next && inflight > 0) {
          queued = null;
          send(next.arg, next.id);
        }
      }, wait);
    }
  }

  function request(arg: A, wait: number) {
    clearTimer();
    const id = ++seq;
    // Whatever is queued is superseded by this request.
    queued = null;
    if (wait <= 0) {
      submit(arg, id);
      return;
    }
    timer = setTimeout(() => {
      timer = null;
      if (id === seq) submit(arg, id);
    }, wait);
  }

  return {
    schedule: (arg: A) => request(arg, delay),
    now: (arg: A) => request(arg, 0),
    cancel() {
      clearTimer();
      queued = null;
      seq++;
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
