import { describe, expect, test } from 'vitest';
import { buildTimeline } from './timeline';
import { MockBackend } from '../mock/backend';

describe('timeline', () => {
  const b = new MockBackend({ cards: 3000, received: 50, orphans: 5, preloaded: true });
  b.dispose();

  test('sent -> accepted -> one branch per recipient, with the deciding receipt', () => {
    const c = b.cards.find((x) => x.state === 'partially-delivered')!;
    const d = b.getCard(c.id);
    const tl = buildTimeline(d);
    expect(tl.steps.map((s) => s.kind)).toEqual(['sent', 'accepted']);
    expect(tl.steps[1].receipt?.kind).toBe('acceptance');
    expect(tl.branches.map((x) => x.address)).toEqual(c.recipients.map((r) => r.address));
    const failed = tl.branches.find((x) => x.state === 'failed')!;
    expect(failed.receipt?.kind).toBe('delivery-error');
    expect(failed.error).toBeTruthy();
    const ok = tl.branches.find((x) => x.state === 'delivered')!;
    expect(ok.receipt?.kind).toBe('delivery');
  });

  test('esterno recipients have no receipt', () => {
    const c = b.cards.find((x) => x.recipients.some((r) => r.type === 'esterno'))!;
    const tl = buildTimeline(b.getCard(c.id));
    const ext = tl.branches.find((x) => x.type === 'esterno')!;
    expect(ext.state).toBe('not-provable');
    expect(ext.receipt).toBeNull();
  });

  test('not accepted stops after the non-acceptance', () => {
    const c = b.cards.find((x) => x.state === 'not-accepted')!;
    const tl = buildTimeline(b.getCard(c.id));
    expect(tl.steps.map((s) => s.kind)).toEqual(['sent', 'not-accepted']);
    expect(tl.branches).toEqual([]);
  });

  test('received messages show the transport envelope', () => {
    const r = b.received.find((x) => x.kind === 'received')!;
    const tl = buildTimeline(b.getCard(r.id));
    expect(tl.steps.map((s) => s.kind)).toEqual(['received']);
  });

  test('orphan receipts have no timeline', () => {
    const o = b.received.find((x) => x.kind === 'orphan-receipt')!;
    const d = b.getReceivedDetail(o.id);
    expect(d.origin).toBe('orphan');
    expect(buildTimeline(d)).toEqual({ steps: [], branches: [] });
  });

  test('every detail has a three-part verdict per receipt', () => {
    for (const c of b.cards.slice(0, 200)) {
      for (const r of b.getCard(c.id).receipts) {
        expect(['intact', 'broken', 'unsigned', 'detached']).toContain(r.signature.status);
        expect(['trusted', 'untrusted', 'indeterminate']).toContain(r.signature.trust.status);
        expect(Array.isArray(r.inconsistencies)).toBe(true);
      }
    }
  });
});
