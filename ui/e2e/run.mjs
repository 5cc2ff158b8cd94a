// E2E tests of the UI against the mocked IPC, in Debian's headless Chromium driven by
// playwright-core (no browser download). Run `npm run build:mock` first (npm run
// test:e2e does both). Serves dist-mock/ on 127.0.0.1, blocks every other host, saves a
// screenshot per screen to test-artifacts/ and prints `e2e: N passed, M failed`.
import { createServer } from 'node:http';
import { readFile, mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { extname, join, normalize, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium } from 'playwright-core';

const here = dirname(fileURLToPath(import.meta.url));
const root = join(here, '..');
const dist = join(root, 'dist-mock');
const artifacts = join(root, 'test-artifacts');
const CHROMIUM = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
const ONLY = process.env.E2E_ONLY || '';

const TYPES = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.svg': 'image/svg+xml', '.png': 'image/png', '.json': 'application/json' };

function serve() {
  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url, 'http://127.0.0.1');
      let p = normalize(decodeURIComponent(url.pathname)).replace(/^(\.\.[/\\])+/, '');
      if (p === '/' || !extname(p)) p = '/index.html';
      const file = join(dist, p);
      if (!file.startsWith(dist)) throw new Error('outside');
      const body = await readFile(file);
      res.writeHead(200, { 'content-type': TYPES[extname(file)] ?? 'application/octet-stream', 'cache-control': 'no-store' });
      res.end(body);
    } catch {
      res.writeHead(404);
      res.end('not found');
    }
  });
  return new Promise((resolve) => server.listen(0, '127.0.0.1', () => resolve(server)));
}

function assert(cond, msg) {
  if (!cond) throw new Error(`assertion failed: ${msg}`);
}

const metrics = {};
const results = [];

async function main() {
  if (!existsSync(join(dist, 'index.html'))) {
    console.error('dist-mock/ missing: run `npm run build:mock` first');
    process.exit(2);
  }
  await mkdir(artifacts, { recursive: true });
  const server = await serve();
  const base = `http://127.0.0.1:${server.address().port}`;
  const browser = await chromium.launch({
    executablePath: CHROMIUM,
    env: { ...process.env, LANG: 'it_IT.UTF-8', LANGUAGE: 'it' },
    args: ['--headless', '--no-sandbox', '--lang=it-IT', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-dev-shm-usage'],
  });
  const blocked = [];

  async function newPage(opts = {}) {
    const { bypassCSP, ...mockOpts } = opts;
    const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, deviceScaleFactor: 1, locale: 'it-IT', timezoneId: 'America/New_York', bypassCSP: !!bypassCSP });
    const page = await context.newPage();
    const errors = [];
    page.on('pageerror', (e) => errors.push(`pageerror: ${e.message}`));
    page.on('console', (m) => {
      if (m.type() === 'error') errors.push(`console: ${m.text()}`);
    });
    // Nothing but the local server may be reached (the UI never fetches remote content).
    await context.route('**/*', (route) => {
      const u = route.request().url();
      if (u.startsWith(base) || u.startsWith('data:') || u.startsWith('about:')) return route.continue();
      blocked.push(u);
      return route.abort();
    });
    await page.addInitScript((o) => {
      window.__CARTOLINA_MOCK__ = o;
      window.__csp = [];
      document.addEventListener('securitypolicyviolation', (e) => window.__csp.push(`${e.violatedDirective} ${e.blockedURI}`));
    }, mockOpts);
    await page.goto(base + '/');
    return { page, context, errors };
  }

  async function shot(page, name) {
    await page.waitForTimeout(120);
    await page.screenshot({ path: join(artifacts, `${name}.png`) });
  }

  async function check(page, errors) {
    const csp = await page.evaluate(() => window.__csp);
    assert(csp.length === 0, `CSP violations: ${csp.join(', ')}`);
    assert(errors.length === 0, `page errors: ${errors.join(' | ')}`);
  }

  async function test(name, fn, opts) {
    if (ONLY && !name.includes(ONLY)) return;
    const t0 = Date.now();
    let ctx;
    try {
      ctx = await newPage(opts);
      await fn(ctx.page, ctx);
      await check(ctx.page, ctx.errors);
      results.push({ name, ok: true });
      console.log(`ok   ${name} (${Date.now() - t0} ms)`);
    } catch (e) {
      results.push({ name, ok: false, error: String(e?.stack ?? e) });
      console.log(`FAIL ${name}: ${e?.message ?? e}`);
      if (ctx) await ctx.page.screenshot({ path: join(artifacts, `FAIL-${name.replace(/\W+/g, '_')}.png`) }).catch(() => {});
    } finally {
      await ctx?.context.close();
    }
  }

  const cardsReady = (page) => page.waitForSelector('[data-testid="card-list"] .vrow [data-card-id]', { timeout: 15000 });
  const totalText = (page) => page.textContent('[data-testid="total"]');
  const num = (s) => Number(String(s).replace(/[^\d]/g, ''));

  // 1. First launch -> demo mailbox -> progress bar -> cards (live updates).
  await test('first launch, demo mailbox, scan progress, cards', async (page) => {
    await page.waitForSelector('[data-testid="first-launch"]');
    assert(await page.isVisible('[data-testid="add-folder"]'), 'add-folder button');
    await shot(page, '01-first-launch');
    await page.click('[data-testid="open-demo"]');
    await page.waitForSelector('[data-testid="progress"]', { timeout: 5000 });
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="progress"]')?.getAttribute('aria-valuenow')) >= 20, null, { timeout: 5000 });
    await shot(page, '02-scan-progress');
    const mid = num(await totalText(page));
    await page.waitForSelector('[data-testid="ingest"]', { state: 'detached', timeout: 15000 });
    await page.waitForFunction(() => document.querySelector('[data-testid="card-list"]')?.getAttribute('data-total') === '100000', null, { timeout: 5000 });
    const total = num(await totalText(page));
    assert(total === 100000, `total after scan ${total}`);
    assert(mid < total, `list grew live during the scan (${mid} -> ${total})`);
    await cardsReady(page);
    await shot(page, '03-cards');
  }, { ingestMs: 3000 });

  // 1b. First launch -> add a folder through the (mocked) native dialog.
  await test('first launch, add folder via dialog', async (page) => {
    await page.click('[data-testid="add-folder"]');
    await page.waitForSelector('[data-testid="cards-view"]');
    await page.click('[data-testid="nav-settings"]');
    await page.waitForSelector('text="/home/avvocato/Posta/PEC"');
  }, { ingestMs: 600 });

  // 2. Filters: state, date range, account; counts stay consistent.
  await test('filters: state, date range, account, counts', async (page) => {
    await cardsReady(page);
    const counts = {};
    for (const k of ['delivered', 'failed', 'pending', 'overdue']) counts[k] = num(await page.textContent(`[data-testid="count-${k}"] .tile-n`));
    assert(counts.delivered > 80000 && counts.failed > 1000 && counts.overdue > 100, `counts ${JSON.stringify(counts)}`);
    await page.click('[data-testid="count-failed"]');
    await page.waitForFunction((n) => document.querySelector('[data-testid="card-list"]')?.getAttribute('data-total') === String(n), counts.failed);
    await cardsReady(page);
    const states = await page.$$eval('[data-testid="card-list"] [data-state]', (els) => els.map((e) => e.getAttribute('data-state')));
    assert(states.length > 5 && states.every((s) => s === 'failed' || s === 'partially-delivered'), `failed filter rows: ${[...new Set(states)]}`);
    assert((await page.getAttribute('[data-testid="count-failed"]', 'aria-pressed')) === 'true', 'tile pressed');
    await shot(page, '04-filter-failed');
    // Add overdue: union of the two.
    await page.click('[data-testid="count-overdue"]');
    await page.waitForFunction((n) => document.querySelector('[data-testid="card-list"]')?.getAttribute('data-total') === String(n), counts.failed + counts.overdue);
    await page.click('[data-testid="clear-filters"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="card-list"]')?.getAttribute('data-total') === '100000');
    // Date range: one Rome day.
    await page.fill('[data-testid="from"]', '2/3/2026');
    await page.press('[data-testid="from"]', 'Enter');
    await page.fill('[data-testid="to"]', '02/03/2026');
    await page.press('[data-testid="to"]', 'Tab');
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="card-list"]')?.getAttribute('data-total')) < 200);
    await cardsReady(page);
    const dates = await page.$$eval('[data-testid="card-list"] .c-time:nth-of-type(3) span:first-child', (els) => els.map((e) => e.textContent));
    assert(dates.length > 10 && dates.every((d) => d === '02/03/2026'), `dates ${[...new Set(dates)]}`);
    assert((await page.inputValue('[data-testid="from"]')) === '02/03/2026', 'typed day normalised');
    await page.fill('[data-testid="to"]', '31/02/2026');
    await page.press('[data-testid="to"]', 'Tab');
    assert((await page.getAttribute('[data-testid="to"]', 'aria-invalid')) === 'true', 'invalid day flagged');
    // Account.
    await page.click('[data-testid="clear-filters"]');
    await page.selectOption('[data-testid="account"]', 'studio.rossi@legalmail.it');
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="card-list"]')?.getAttribute('data-total')) < 30000);
    await cardsReady(page);
    const subs = await page.$$eval('[data-testid="card-list"] .sub', (els) => els.map((e) => e.textContent));
    assert(subs.every((s) => s.includes('studio.rossi@legalmail.it')), 'account filter');
  }, { preloaded: true });

  // 3. Search as you type at 100k rows: per-keystroke latency, coalescing, stale answers dropped.
  await test('search as you type (latency, coalescing, stale answers dropped)', async (page) => {
    await cardsReady(page);
    const lat = await page.evaluate(async (word) => {
      const input = document.querySelector('[data-testid="search"]');
      const view = document.querySelector('[data-testid="cards-view"]');
      const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
      const out = [];
      for (let i = 1; i <= word.length; i++) {
        const v = word.slice(0, i);
        const t0 = performance.now();
        setter.call(input, v);
        input.dispatchEvent(new Event('input', { bubbles: true }));
        await new Promise((resolve) => {
          const tick = () => (view.getAttribute('data-result-query') === v ? requestAnimationFrame(() => resolve()) : requestAnimationFrame(tick));
          tick();
        });
        out.push(performance.now() - t0);
      }
      return out;
    }, 'ingiuntivo');
    const sorted = [...lat].sort((a, b) => a - b);
    metrics.search_keystroke_ms = { samples: lat.map((x) => Math.round(x)), median: Math.round(sorted[Math.floor(sorted.length / 2)]), max: Math.round(sorted[sorted.length - 1]) };
    assert(sorted[sorted.length - 1] < 2000, `keystroke latency generous bound: ${sorted[sorted.length - 1]}`);
    const total = num(await totalText(page));
    assert(total > 500 && total < 20000, `results for ingiuntivo: ${total}`);
    await cardsReady(page);
    const subj = await page.$$eval('[data-testid="card-list"] .subj-text', (els) => els.map((e) => e.textContent.toLowerCase()));
    assert(subj.length > 5 && subj.every((s) => s.includes('ingiuntivo')), 'rows match the query');
    await shot(page, '05-search');
    // Ctrl+F focuses the search box from the list.
    await page.focus('[data-testid="card-list"]');
    await page.keyboard.press('Control+f');
    assert(await page.evaluate(() => document.activeElement?.getAttribute('data-testid') === 'search'), 'Ctrl+F focuses search');
    // A fast burst: each keystroke is sent at once unless a request is in flight (then
    // the keystrokes are coalesced into one), and only the last query's answer shows.
    await page.fill('[data-testid="search"]', '');
    await page.waitForFunction(() => document.querySelector('[data-testid="cards-view"]')?.getAttribute('data-result-query') === '');
    const before = await page.evaluate(() => window.__cartolinaMock.calls.filter((c) => c.cmd === 'list_cards').length);
    await page.type('[data-testid="search"]', 'diffida', { delay: 8 });
    await page.waitForFunction(() => document.querySelector('[data-testid="cards-view"]')?.getAttribute('data-result-query') === 'diffida');
    await page.waitForTimeout(150);
    const after = await page.evaluate(() => window.__cartolinaMock.calls.filter((c) => c.cmd === 'list_cards' ).length);
    metrics.search_burst = { keystrokes: 7, first_page_requests: after - before };
    assert(after - before <= 7 + 2, `a burst of 7 keystrokes made ${after - before} list requests`);
    const subj2 = await page.$$eval('[data-testid="card-list"] .subj-text', (els) => els.map((e) => e.textContent.toLowerCase()));
    assert(subj2.length > 5 && subj2.every((s) => s.includes('diffida')), 'burst shows the latest query only');
    const mockMs = await page.evaluate(() => {
      const c = window.__cartolinaMock.calls.filter((x) => x.cmd === 'list_cards').map((x) => x.ms).sort((a, b) => a - b);
      return { median: c[Math.floor(c.length / 2)], max: c[c.length - 1] };
    });
    metrics.mock_list_cards_ms = { median: Math.round(mockMs.median * 10) / 10, max: Math.round(mockMs.max * 10) / 10 };
  }, { preloaded: true });

  // 4. Virtual list: scroll to row 99,999; keyboard navigation; scroll smoothness figure.
  await test('virtual list: scroll to row 99,999, keyboard, smoothness', async (page) => {
    await cardsReady(page);
    const domRows = await page.$$eval('[data-testid="card-list"] .vrow', (els) => els.length);
    assert(domRows < 60, `only a window of rows is in the DOM (${domRows})`);
    await page.$eval('[data-testid="card-list"]', (el) => (el.scrollTop = el.scrollHeight));
    await page.waitForSelector('[data-testid="card-list"] .vrow[data-index="99999"] [data-card-id]', { timeout: 10000 });
    const lastId = await page.getAttribute('[data-testid="card-list"] .vrow[data-index="99999"] [data-card-id]', 'data-card-id');
    assert(lastId === '100000', `last row is the oldest card (id ${lastId})`);
    await shot(page, '06-scrolled-to-end');
    // Keyboard.
    await page.focus('[data-testid="card-list"]');
    await page.keyboard.press('Home');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    await page.keyboard.press('ArrowDown');
    assert((await page.getAttribute('[data-testid="card-list"]', 'aria-activedescendant')) === 'card-row-3', 'arrow keys move the selection');
    await page.keyboard.press('End');
    assert((await page.getAttribute('[data-testid="card-list"]', 'aria-activedescendant')) === 'card-row-99999', 'End selects the last row');
    await page.waitForSelector('#card-row-99999[aria-selected="true"]');
    await page.keyboard.press('PageUp');
    await page.keyboard.press('Home');
    // Smoothness: scroll through the list frame by frame and time the frames.
    const r = await page.evaluate(async () => {
      const el = document.querySelector('[data-testid="card-list"]');
      const frames = [];
      let missing = 0;
      let last = performance.now();
      for (let i = 0; i < 240; i++) {
        el.scrollTop += 1800;
        await new Promise((res) => requestAnimationFrame(() => res()));
        const now = performance.now();
        frames.push(now - last);
        last = now;
        if (!el.querySelector('.vrow')) missing++;
      }
      frames.sort((a, b) => a - b);
      return { frames: frames.length, median: frames[Math.floor(frames.length / 2)], p95: frames[Math.floor(frames.length * 0.95)], max: frames[frames.length - 1], blank: missing, scrolled_px: el.scrollTop };
    });
    metrics.scroll = { frames: r.frames, median_frame_ms: Math.round(r.median * 10) / 10, p95_frame_ms: Math.round(r.p95 * 10) / 10, max_frame_ms: Math.round(r.max), px: r.scrolled_px };
    assert(r.blank === 0, 'rows rendered on every frame');
    assert(r.p95 < 500, `p95 frame ${r.p95} ms (generous bound)`);
  }, { preloaded: true });

  // 5. Detail: timeline, three-part verdict, daticert, attachments, raw; Enter opens, Esc closes.
  await test('detail: timeline, three-part verdict, sanitised body, Esc', async (page) => {
    await cardsReady(page);
    // Row 6 is card id 7, whose body is hostile HTML.
    await page.focus('[data-testid="card-list"]');
    for (let i = 0; i < 6; i++) await page.keyboard.press('ArrowDown');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="detail"] [data-testid="timeline"]');
    const steps = await page.$$eval('[data-testid="timeline"] [data-step]', (els) => els.map((e) => e.getAttribute('data-step')));
    assert(steps[0] === 'sent' && steps[1] === 'accepted', `steps ${steps}`);
    assert((await page.$$('[data-testid="timeline"] .branch')).length >= 1, 'a branch per recipient');
    const parts = await page.$$eval('[data-testid="receipt"]:first-of-type [data-part]', (els) => els.map((e) => e.getAttribute('data-part')));
    assert(parts.join() === 'integrity,trust,meaning', `three parts: ${parts}`);
    const body = await page.textContent('[data-testid="body-text"]');
    assert(body.includes('Gentile Collega') && !body.includes('alert') && !body.includes('tracker') && !body.includes('phishing'), 'body shown as sanitised text');
    await page.click('[data-testid="toggle-formatted"]');
    const frame = await page.waitForSelector('[data-testid="mail-frame"]');
    assert((await frame.getAttribute('sandbox')) === '', 'iframe sandbox=""');
    const srcdoc = await frame.getAttribute('srcdoc');
    assert(!/script|https?:|onclick|<img/i.test(srcdoc.replace(/Content-Security-Policy/, '')), 'no script/remote in srcdoc');
    assert(srcdoc.includes("default-src 'none'"), 'CSP in frame');
    await page.click('[data-testid="toggle-formatted"]');
    await shot(page, '07-detail');
    // The proof itself: a receipt and the original saved as .eml, under their own names.
    const saved0 = await page.evaluate(() => window.__cartolinaMock.backend.saved.length);
    await page.click('[data-testid="receipt"]:first-of-type [data-testid="save-receipt"]');
    await page.waitForFunction((n) => window.__cartolinaMock.backend.saved.length === n + 1, saved0);
    await page.click('[data-testid="save-original"]');
    await page.waitForFunction((n) => window.__cartolinaMock.backend.saved.length === n + 2, saved0);
    const dests = await page.evaluate(() => window.__cartolinaMock.backend.saved.slice(-2).map((x) => x.dest));
    assert(/\/acceptance-\d+\.eml$/.test(dests[0]) && /\/messaggio-7\.eml$/.test(dests[1]), `saved as ${dests}`);
    await page.keyboard.press('Escape');
    await page.waitForSelector('[data-testid="detail"]', { state: 'detached' });
    assert(await page.evaluate(() => document.activeElement?.getAttribute('data-testid') === 'card-list'), 'focus back on the list');
    // A failed card: its timeline shows the failure and the reason.
    await page.click('[data-testid="count-failed"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="cards-view"]')?.getAttribute('data-result-seq') !== '1');
    await cardsReady(page);
    await page.dblclick('[data-testid="card-list"] .vrow[data-index="0"]');
    await page.waitForSelector('[data-testid="timeline"] .branch[data-recipient-state="failed"]');
    assert(await page.isVisible('[data-testid="receipt"][data-kind="delivery-error"]'), 'failure notice listed');
    await page.waitForSelector('[data-testid="receipt"] [data-part="integrity"]');
    // This card (deterministic data) also carries an unsigned "receipt": no proof, and its
    // daticert cannot be called consistent.
    const claim = '[data-testid="receipt"][data-kind="unsigned-claim"]';
    assert((await page.getAttribute(`${claim} [data-part="integrity"]`, 'data-value')) === 'unsigned', 'claim unsigned');
    assert((await page.getAttribute(`${claim} [data-part="meaning"]`, 'data-value')) === 'unverifiable', 'claim meaning unverifiable');
    assert((await page.getAttribute('[data-testid="proof"]', 'class')).includes('ok') === false, 'proof flagged incomplete');
    await shot(page, '08-detail-failed');
    await page.click('[data-testid="detail-close"]');
    // The oldest card: its provider certificate has expired since (information, not an error).
    await page.click('[data-testid="clear-filters"]');
    await page.waitForFunction(() => document.querySelector('[data-testid="card-list"]')?.getAttribute('data-total') === '100000');
    await page.focus('[data-testid="card-list"]');
    await page.keyboard.press('End');
    await page.waitForSelector('[data-testid="card-list"] .vrow[data-index="99999"] [data-card-id]');
    await page.keyboard.press('Enter');
    const note = await page.waitForSelector('[data-testid="detail"] [data-testid="expired-note"]');
    const noteText = await note.textContent();
    assert(/certificato scaduto dal \d\d\/\d\d\/\d{4}: informazione, non un errore/.test(noteText), `expired note: ${noteText}`);
    await page.$eval('[data-testid="detail"] [data-testid="receipt"]', (el) => el.scrollIntoView());
    await shot(page, '09-detail-verdict');
  }, { preloaded: true });

  // 6. Verifier: file input and HTML5 drop (mock), three separate answers, extracted content.
  await test('verifier: p7m via file input, tampered eml via drop, p7s detached', async (page) => {
    await page.click('[data-testid="nav-verify"]');
    await page.setInputFiles('[data-testid="file-input"]', [{ name: 'Contratto_locazione.pdf.p7m', mimeType: 'application/pkcs7-mime', buffer: Buffer.from('MIAGCSqGSIb3DQEHAqCAMIACAQEx') }]);
    await page.waitForSelector('[data-testid="verify-result"][data-kind="p7m"]');
    const v = await page.$$eval('[data-testid="verify-result"] [data-part]', (els) => els.map((e) => `${e.getAttribute('data-part')}=${e.getAttribute('data-value')}`));
    assert(v.join() === 'integrity=intact,trust=trusted,meaning=none', `verdict ${v}`);
    assert((await page.textContent('[data-testid="extracted"]')).includes('Contratto_locazione.pdf'), 'extracted content');
    await page.click('[data-testid="extracted"] >> text=Salva con nome…');
    await page.waitForFunction(() => window.__cartolinaMock.backend.saved.length === 1);
    await page.click('[data-testid="extracted"] >> text=Apri con il visualizzatore di sistema');
    await page.waitForFunction(() => window.__cartolinaMock.backend.opened.length === 1);
    await shot(page, '10-verifier-p7m');
    // HTML5 drop of a tampered receipt.
    await page.evaluate(() => {
      const dt = new DataTransfer();
      dt.items.add(new File(['Return-Path: <posta-certificata@pec.aruba.it>'], 'ricevuta_consegna_manomessa.eml', { type: 'message/rfc822' }));
      const zone = document.querySelector('[data-testid="dropzone"]');
      zone.dispatchEvent(new DragEvent('dragover', { dataTransfer: dt, bubbles: true, cancelable: true }));
      zone.dispatchEvent(new DragEvent('drop', { dataTransfer: dt, bubbles: true, cancelable: true }));
    });
    await page.waitForSelector('[data-testid="verify-result"][data-kind="pec-receipt"]');
    const v2 = await page.$$eval('[data-testid="verify-result"] [data-part]', (els) => els.map((e) => `${e.getAttribute('data-part')}=${e.getAttribute('data-value')}`));
    assert(v2.join() === 'integrity=broken,trust=trusted,meaning=inconsistent', `tampered verdict ${v2}`);
    assert((await page.$$('[data-testid="verify-result"] tr.mismatch mark')).length === 2, 'inconsistencies highlighted');
    await shot(page, '11-verifier-tampered');
    await page.setInputFiles('[data-testid="file-input"]', [{ name: 'firma.p7s', mimeType: 'application/pkcs7-signature', buffer: Buffer.from('x') }]);
    await page.waitForSelector('[data-testid="verify-result"] [data-part="integrity"][data-value="detached"]');
  }, { preloaded: true });

  // 7. Settings: language switch to English and back; sources; trust store import.
  await test('settings: language switch, sources pause, TSL import', async (page) => {
    await page.click('[data-testid="nav-settings"]');
    await page.waitForSelector('[data-testid="settings-view"]');
    assert((await page.textContent('#settings-title')) === 'Impostazioni', 'Italian by default');
    await page.click('[data-testid="lang-en"]');
    await page.waitForFunction(() => document.querySelector('#settings-title')?.textContent === 'Settings');
    assert((await page.textContent('[data-testid="nav-cards"]')).includes('Cards'), 'nav in English');
    assert((await page.getAttribute('html', 'lang')) === 'en', 'html lang=en');
    await page.click('[data-testid="import-tsl"]');
    await page.waitForSelector('text=Imported 2, already present 0');
    await page.click('[data-testid="sources"] >> text=Pause');
    await page.waitForSelector('[data-testid="sources"] >> text=paused');
    await shot(page, '12-settings-en');
    // Remove asks first (native dialog, mocked): "No" keeps the source, "Remove" removes it.
    await page.evaluate(() => (window.__cartolinaMock.answer = false));
    await page.click('[data-testid="sources"] >> text=Remove');
    await page.waitForTimeout(200);
    assert((await page.$$('[data-testid="sources"] li')).length === 1, 'source kept on No');
    await page.evaluate(() => (window.__cartolinaMock.answer = true));
    await page.click('[data-testid="sources"] >> text=Remove');
    await page.waitForSelector('text=No sources.');
    await page.click('[data-testid="nav-cards"]');
    await cardsReady(page);
    assert((await page.textContent('#cards-title')) === 'Cards', 'cards title in English');
    const d = await page.textContent('[data-testid="card-list"] .vrow[data-index="0"] .c-time span');
    assert(/^\d{1,2} [A-Z][a-z]{2} \d{4}$/.test(d), `English date ${d}`);
    const tm = await page.textContent('[data-testid="card-list"] .vrow[data-index="0"] .c-time .muted');
    assert(/^\d\d:\d\d:\d\d CES?T$/.test(tm), `time with zone ${tm}`);
    await shot(page, '13-cards-en');
    await page.click('[data-testid="nav-settings"]');
    await page.click('[data-testid="lang-it"]');
    await page.waitForFunction(() => document.querySelector('#settings-title')?.textContent === 'Impostazioni');
    assert((await page.getAttribute('html', 'lang')) === 'it', 'html lang=it');
  }, { preloaded: true });

  // 8. Toasts for shell notifications.
  await test('toasts for delivery-failed and overdue events', async (page) => {
    await cardsReady(page);
    await page.evaluate(() =>
      window.__cartolinaMock.emit('delivery-failed', { card_id: 42, subject: 'Diffida ad adempiere – pratica 118/2026', recipient: 'studio.greco@pec.it', error: '5.1.1 - indirizzo non valido', at: '2026-11-20T09:00:00Z' }),
    );
    await page.evaluate(() => window.__cartolinaMock.emit('overdue', { card_id: 43, subject: 'Fattura n. 77/2026', recipient: 'protocollo@pec.comune.milano.it', sent_at: '2026-11-19T08:00:00Z' }));
    await page.waitForSelector('[data-testid="toast"] >> text=Mancata consegna a studio.greco@pec.it');
    await page.waitForSelector('[data-testid="toast"] >> text=Nessun esito dopo 24 ore');
    await shot(page, '14-toasts');
    await page.click('[data-testid="toast"] >> text=Apri');
    await page.waitForSelector('[data-testid="detail"] [data-testid="timeline"]');
  }, { preloaded: true });

  // 9. Received tab: received messages and orphan receipts.
  await test('received tab: orphan receipts filter and detail', async (page) => {
    await page.click('[data-testid="nav-received"]');
    await page.waitForSelector('[data-testid="received-list"] .rrow[data-kind]');
    const total = Number(await page.getAttribute('[data-testid="received-list"]', 'data-total'));
    assert(total > 5000, `received total ${total}`);
    await page.click('[data-testid="received-view"] >> text=Ricevute senza messaggio');
    await page.waitForFunction(() => Number(document.querySelector('[data-testid="received-list"]')?.getAttribute('data-total')) < 500);
    await page.waitForSelector('[data-testid="received-list"] .rrow[data-kind]');
    const kinds = await page.$$eval('[data-testid="received-list"] .rrow[data-kind]', (els) => els.map((e) => e.getAttribute('data-kind')));
    assert(kinds.every((k) => k === 'orphan-receipt'), 'only orphans');
    await shot(page, '15-received');
    await page.focus('[data-testid="received-list"]');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="detail"] [data-testid="receipt"] [data-part="trust"]');
  }, { preloaded: true });

  // 10. Accessibility: axe-core on each screen; no violation above 'minor'.
  // (axe is injected as a script, so this context alone bypasses the page CSP.)
  await test('accessibility (axe-core): cards, detail, verifier, settings, received', async (page) => {
    const axeSrc = await readFile(join(root, 'node_modules/axe-core/axe.min.js'), 'utf8');
    const audit = async (label) => {
      await page.addScriptTag({ content: axeSrc });
      const res = await page.evaluate(async () => {
        const r = await window.axe.run(document, { resultTypes: ['violations'] });
        return r.violations.map((v) => ({ id: v.id, impact: v.impact, n: v.nodes.length, sample: v.nodes[0]?.target?.join(' ') }));
      });
      metrics.axe = metrics.axe ?? {};
      metrics.axe[label] = res.map((v) => `${v.id}:${v.impact}:${v.n}`);
      const bad = res.filter((v) => v.impact !== 'minor');
      assert(bad.length === 0, `${label}: ${JSON.stringify(bad)}`);
    };
    await cardsReady(page);
    await audit('cards');
    await page.focus('[data-testid="card-list"]');
    await page.keyboard.press('Enter');
    await page.waitForSelector('[data-testid="detail"] [data-testid="receipt"]');
    await audit('detail');
    await page.keyboard.press('Escape');
    await page.click('[data-testid="nav-verify"]');
    await page.setInputFiles('[data-testid="file-input"]', [{ name: 'atto.pdf.p7m', mimeType: 'application/pkcs7-mime', buffer: Buffer.from('x') }]);
    await page.waitForSelector('[data-testid="verify-result"]');
    await audit('verifier');
    await page.click('[data-testid="nav-settings"]');
    await page.waitForSelector('[data-testid="anchors"]');
    await audit('settings');
    await page.click('[data-testid="nav-received"]');
    await page.waitForSelector('[data-testid="received-list"] .rrow[data-kind]');
    await audit('received');
  }, { preloaded: true, bypassCSP: true });

  await browser.close();
  server.close();

  metrics.blocked_remote_requests = blocked.length;
  if (blocked.length) results.push({ name: 'no remote requests', ok: false, error: blocked.join(', ') });
  else results.push({ name: 'no remote requests', ok: true });
  await writeFile(join(artifacts, 'metrics.json'), JSON.stringify(metrics, null, 2));
  console.log('metrics:', JSON.stringify(metrics));
  for (const r of results.filter((x) => !x.ok)) console.log(`\n--- ${r.name}\n${r.error}`);
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  console.log(`e2e: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch((e) => {
  console.error(e);
  console.log('e2e: 0 passed, 1 failed');
  process.exit(1);
});
