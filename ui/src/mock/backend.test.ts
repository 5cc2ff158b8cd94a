import { describe, expect, test } from 'vitest';
import { MockBackend } from './backend';
import { COMMANDS } from '../lib/ipc';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';

describe('mock backend implements the IPC contract', () => {
  const b = new MockBackend({ cards: 2000, received: 100, orphans: 10, preloaded: true });
  b.dispose();

  test('every command of ipc.ts is handled and documented in IPC.md', () => {
    const doc = readFileSync(join(__dirname, '..', '..', 'IPC.md'), 'utf8');
    for (const c of COMMANDS) {
      expect(doc, c).toContain('`' + c + '`');
      let err: unknown = null;
      try {
        b.handle(c, { args: { sort: 'newest', offset: 0, limit: 5 }, id: b.cards[0].id, paths: ['/x/a.p7m'], token: 'none', dest: '/tmp/x', path: '/p', kind: 'crl', patch: {}, paused: true });
      } catch (e) {
        err = e;
      }
      expect(String(err)).not.toContain('comando sconosciuto');
    }
  });

  test('search narrows, paging is stable, sort reverses', () => {
    const all = b.listCards({ sort: 'newest', offset: 0, limit: 2000 });
    const word = all.rows[0].subject!.split(' ')[0].toLowerCase();
    const q = b.listCards({ query: word, sort: 'newest', offset: 0, limit: 2000 });
    expect(q.total).toBeGreaterThan(0);
    expect(q.rows.every((c) => [c.subject, c.sender, c.identificativo, c.message_id, ...c.recipients.map((r) => r.address)].join(' ').toLowerCase().includes(word))).toBe(true);
    const p2 = b.listCards({ sort: 'newest', offset: 100, limit: 50 });
    expect(p2.rows[0].id).toBe(all.rows[100].id);
    const old = b.listCards({ sort: 'oldest', offset: 0, limit: 1 });
    expect(old.rows[0].id).toBe(all.rows[all.rows.length - 1].id);
    // Narrowing the previous result gives the same answer as a fresh scan.
    const a1 = b.listCards({ query: 'ri', sort: 'newest', offset: 0, limit: 5 });
    const a2 = b.listCards({ query: 'ricorso', sort: 'newest', offset: 0, limit: 5 });
    const fresh = new MockBackend({ cards: 2000, received: 10, orphans: 1, preloaded: true });
    fresh.dispose();
    expect(fresh.listCards({ query: 'ricorso', sort: 'newest', offset: 0, limit: 5 })).toEqual(a2);
    expect(a1.total).toBeGreaterThanOrEqual(a2.total);
  });

  test('verifier answers three separate parts', () => {
    const p = b.verify(['/x/atto.pdf.p7m.p7m']);
    expect(p.reports).toHaveLength(2);
    expect(p.content?.name).toBe('atto.pdf');
    const d = b.verify(['/x/firma.p7s']);
    expect(d.reports[0].status).toBe('detached');
    const t = b.verify(['/x/ricevuta_consegna_manomessa.eml']);
    expect(t.reports[0].status).toBe('broken');
    expect(t.inconsistencies.length).toBeGreaterThan(0);
  });
});
