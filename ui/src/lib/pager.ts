// Row cache for the virtual list: fetches fixed-size pages on demand for one filter
// "generation", drops answers that belong to an older filter, and keeps at most
// `maxPages` pages (least recently used go first).
import { pagesFor } from './virtual';

export type PageFetcher<T> = (offset: number, limit: number) => Promise<{ total: number; rows: T[] }>;

export class PagedRows<T> {
  private pages = new Map<number, T[]>();
  private inflight = new Set<number>();
  private generation = 0;
  private fetcher: PageFetcher<T> | null = null;
  total = 0;

  constructor(
    readonly pageSize: number,
    private onChange: () => void,
    private maxPages = 60,
  ) {}

  /** Start over with a new filter; `first` is page 0 already fetched (optional). */
  reset(fetcher: PageFetcher<T>, total: number, first?: T[]): void {
    this.generation++;
    this.fetcher = fetcher;
    this.pages.clear();
    this.inflight.clear();
    this.total = total;
    if (first) this.pages.set(0, first);
    this.onChange();
  }

  /** Forget the cached pages (data changed) but keep the filter; refetch on demand. */
  invalidate(): void {
    this.generation++;
    this.pages.clear();
    this.inflight.clear();
    this.onChange();
  }

  get(i: number): T | undefined {
    const p = this.pages.get(Math.floor(i / this.pageSize));
    return p?.[i % this.pageSize];
  }

  has(i: number): boolean {
    return this.get(i) !== undefined;
  }

  get cachedPages(): number {
    return this.pages.size;
  }

  /** Make sure rows [start, end) are cached or being fetched. */
  ensure(start: number, end: number): void {
    const fetcher = this.fetcher;
    if (!fetcher) return;
    for (const p of pagesFor(start, Math.min(end, this.total), this.pageSize)) {
      if (this.pages.has(p)) {
        // Touch for LRU order.
        const rows = this.pages.get(p)!;
        this.pages.delete(p);
        this.pages.set(p, rows);
        continue;
      }
      if (this.inflight.has(p)) continue;
      this.inflight.add(p);
      const gen = this.generation;
      fetcher(p * this.pageSize, this.pageSize).then(
        (res) => {
          if (gen !== this.generation) return; // stale: the filter changed meanwhile
          this.inflight.delete(p);
          this.pages.set(p, res.rows);
          this.total = res.total;
          while (this.pages.size > this.maxPages) {
            const oldest = this.pages.keys().next().value as number;
            this.pages.delete(oldest);
          }
          this.onChange();
        },
        () => {
          if (gen === this.generation) this.inflight.delete(p);
        },
      );
    }
  }
}
