import { describe, expect, test } from 'vitest';
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';
import { DICTS, en, it, placeholders, translate, type MsgKey } from './i18n';

function sources(dir: string): string[] {
  const out: string[] = [];
  for (const f of readdirSync(dir)) {
    const p = join(dir, f);
    if (statSync(p).isDirectory()) out.push(...sources(p));
    else if (/\.(svelte|ts)$/.test(f) && !f.endsWith('.test.ts')) out.push(p);
  }
  return out;
}

describe('i18n', () => {
  test('every key exists in both languages, non-empty', () => {
    const ki = Object.keys(it).sort();
    const ke = Object.keys(en).sort();
    expect(ke).toEqual(ki);
    for (const k of ki) {
      expect(it[k as MsgKey].trim().length, k).toBeGreaterThan(0);
      expect(en[k as MsgKey].trim().length, k).toBeGreaterThan(0);
    }
  });

  test('placeholders agree between languages', () => {
    for (const k of Object.keys(it) as MsgKey[]) expect(placeholders(en[k]), k).toEqual(placeholders(it[k]));
  });

  test('English is actually translated (most strings differ)', () => {
    const keys = Object.keys(it) as MsgKey[];
    const same = keys.filter((k) => it[k] === en[k] && !/^(app\.name|lang\.|settings\.kind\.|detail\.messageId|cards\.moreRecipients|settings\.kind)/.test(k));
    expect(same.length / keys.length).toBeLessThan(0.05);
  });

  test('every literal key used by the UI exists', () => {
    const root = join(__dirname, '..');
    const used = new Set<string>();
    for (const f of sources(root)) {
      const text = readFileSync(f, 'utf8');
      for (const m of text.matchAll(/\bt\(\s*'([a-zA-Z][\w.-]*)'/g)) used.add(m[1]);
      for (const m of text.matchAll(/label: '([a-z][\w.-]*\.[\w.-]+)'/g)) used.add(m[1]);
      for (const m of text.matchAll(/\bl: '([a-z][\w.-]*\.[\w.-]+)'/g)) used.add(m[1]);
    }
    expect(used.size).toBeGreaterThan(100);
    const missing = [...used].filter((k) => !(k in it));
    expect(missing).toEqual([]);
  });

  test('dynamic key families are complete', () => {
    const fam = (prefix: string, values: string[]) => values.map((v) => `${prefix}${v}`);
    const keys = [
      ...fam('receipt.', ['acceptance', 'non-acceptance', 'taking-charge', 'delivery', 'delivery-error', 'delivery-warning', 'virus-detected', 'transport', 'anomaly', 'unsigned-claim']),
      ...fam('ingest.phase.', ['scanning', 'parsing', 'verifying', 'pairing', 'done']),
      ...fam('verifier.kind.', ['p7m', 'p7s', 'eml', 'pec-receipt', 'pec-transport', 'unknown']),
      ...fam('settings.status.', ['scanning', 'watching', 'paused', 'error']),
      ...fam('settings.kind.', ['maildir', 'mbox', 'eml-folder', 'thunderbird', 'demo']),
      ...fam('settings.origin.', ['bundled', 'user', 'tsl']),
      ...fam('verify.trust.rev.', ['not_checked', 'good', 'revoked']),
      ...fam('verify.integrity.', ['intactHelp', 'brokenHelp', 'unsignedHelp', 'detachedHelp']),
      ...fam('lang.', ['it', 'en']),
    ];
    for (const k of keys) expect(k in it, k).toBe(true);
  });

  test('translate substitutes parameters and defaults to Italian wording', () => {
    expect(translate('it', 'cards.total', { n: '1.234' })).toBe('1.234 messaggi');
    expect(translate('en', 'cards.total', { n: '1,234' })).toBe('1,234 messages');
    expect(translate('it', 'verify.expiredSince', { date: '03/12/2020' })).toContain('certificato scaduto dal 03/12/2020: informazione, non un errore');
    expect(Object.keys(DICTS)).toEqual(['it', 'en']);
  });
});
