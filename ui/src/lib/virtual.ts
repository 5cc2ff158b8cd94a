// Window math for the virtual list (fixed row height). Pure functions, unit-tested.
//
// Browsers cap an element's height (Chromium at about 33.5 million px), so above
// MAX_SCROLL_HEIGHT the scroll range is compressed: the scrollbar maps linearly onto
// the real content and rows are placed relative to the viewport.

export const MAX_SCROLL_HEIGHT = 8_000_000;

export interface WindowInput {
  scrollTop: number;
  viewport: number;
  rowHeight: number;
  total: number;
  overscan?: number;
  maxHeight?: number;
}

export interface VirtualWindow {
  /** First row to render (inclusive). */
  start: number;
  /** Last row to render (exclusive). */
  end: number;
  /** Height of the scrolling spacer, px. */
  height: number;
  /** `top` of row `start` inside the spacer, px. */
  offset: number;
  /** First row at least partly visible (without overscan). */
  firstVisible: number;
  /** Last row at least partly visible (inclusive; -1 when empty). */
  lastVisible: number;
}

function geometry(rowHeight: number, total: number, viewport: number, maxHeight: number) {
  const real = Math.max(0, total * rowHeight);
  const height = Math.min(real, maxHeight);
  const scaled = real > maxHeight;
  const realMax = Math.max(0, real - viewport);
  const shownMax = Math.max(0, height - viewport);
  return { real, height, scaled, realMax, shownMax };
}

/** Map the element's scrollTop to a position in the real (uncompressed) content. */
export function virtualScroll(scrollTop: number, viewport: number, rowHeight: number, total: number, maxHeight = MAX_SCROLL_HEIGHT): number {
  const g = geometry(rowHeight, total, viewport, maxHeight);
  const st = Math.min(Math.max(0, scrollTop), g.shownMax);
  if (!g.scaled || g.shownMax === 0) return st;
  return (st / g.shownMax) * g.realMax;
}

export function computeWindow(inp: WindowInput): VirtualWindow {
  const { viewport, rowHeight, total } = inp;
  const overscan = inp.overscan ?? 6;
  const maxHeight = inp.maxHeight ?? MAX_SCROLL_HEIGHT;
  const g = geometry(rowHeight, total, viewport, maxHeight);
  if (total <= 0 || rowHeight <= 0) {
    return { start: 0, end: 0, height: 0, offset: 0, firstVisible: 0, lastVisible: -1 };
  }
  const st = Math.min(Math.max(0, inp.scrollTop), g.shownMax);
  const vs = virtualScroll(st, viewport, rowHeight, total, maxHeight);
  const firstVisible = Math.min(total - 1, Math.floor(vs / rowHeight));
  const lastVisible = Math.min(total - 1, Math.max(firstVisible, Math.ceil((vs + viewport) / rowHeight) - 1));
  const start = Math.max(0, firstVisible - overscan);
  const end = Math.min(total, lastVisible + 1 + overscan);
  // Row i sits at (i * rowHeight - vs) below the viewport top, and the viewport top is
  // at st inside the spacer.
  const offset = st + start * rowHeight - vs;
  return { start, end, height: g.height, offset, firstVisible, lastVisible };
}

/**
 * The scrollTop that brings row `index` fully into view with the least movement
 * (unchanged when it already is).
 */
export function scrollTopToReveal(
  index: number,
  scrollTop: number,
  viewport: number,
  rowHeight: number,
  total: number,
  maxHeight = MAX_SCROLL_HEIGHT,
): number {
  const g = geometry(rowHeight, total, viewport, maxHeight);
  const vs = virtualScroll(scrollTop, viewport, rowHeight, total, maxHeight);
  const top = index * rowHeight;
  const bottom = top + rowHeight;
  let target = vs;
  if (top < vs) target = top;
  else if (bottom > vs + viewport) target = bottom - viewport;
  else return scrollTop;
  target = Math.min(Math.max(0, target), g.realMax);
  if (!g.scaled || g.realMax === 0) return target;
  return (target / g.realMax) * g.shownMax;
}

/** Page indexes (of `pageSize` rows) that cover rows [start, end). */
export function pagesFor(start: number, end: number, pageSize: number): number[] {
  if (end <= start) return [];
  const out: number[] = [];
  for (let p = Math.floor(start / pageSize); p <= Math.floor((end - 1) / pageSize); p++) out.push(p);
  return out;
}
