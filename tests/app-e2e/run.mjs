// End-to-end tests of the real Cartolina app: the release binary of src-tauri, driven
// over WebDriver by tauri-driver (which runs Debian's WebKitWebDriver). Run under Xvfb
// (run.sh does all of it). Each screen is saved to artifacts/; prints
// `app-e2e: N passed, M failed` and exits non-zero on failure.
//
// Environment: APP (binary), FORGE_DIR (a cartolina-forge Maildir output: mail/, trust/,
// manifest.json), SAMPLES (folder with infocert-fattura.xml.p7m), TAURI_DRIVER_URL.
import { By, until, Key } from 'selenium-webdriver';
import { mkdir } from 'node:fs/promises';
import { copyFileSync, existsSync, readFileSync, readdirSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { invoke as invokeIn, launch, screenshot, typeWord } from './session.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const artifacts = join(here, 'artifacts');
const APP = process.env.APP;
const SAMPLES = process.env.SAMPLES || join(here, '../../fuzz/seeds/cms');
const FORGE_DIR = process.env.FORGE_DIR;
const LATER_DIR = process.env.LATER_DIR;
const URL = process.env.TAURI_DRIVER_URL || 'http://127.0.0.1:4444';

// The answer keys: one card per sent message of the demo and of the forge mailbox.
const demoManifest = JSON.parse(readFileSync(join(here, '../../demo/manifest.json'), 'utf8'));
const forgeManifest = FORGE_DIR ? JSON.parse(readFileSync(join(FORGE_DIR, 'manifest.json'), 'utf8')) : { messages: [] };
const demoSent = demoManifest.messages.length;
const forgeSent = forgeManifest.messages.length;
// A search word: in some forge subjects but not most, and in no address or id (the
// search also matches those), so every hit must show it in its subject.
const forgeWord = (() => {
  const all = [...demoManifest.messages, ...forgeManifest.messages];
  const other = all.map((m) => [m.sender, m.message_id, m.identificativo, ...m.recipients.map((r) => r.address)].join(' ').toLowerCase()).join(' ');
  const n = new Map();
  for (const m of all) for (const w of new Set((m.subject || '').toLowerCase().match(/[a-z]{6,}/g) || [])) n.set(w, (n.get(w) || 0) + 1);
  const ok = [...n].filter(([w, c]) => c >= 2 && c < all.length / 4 && !other.includes(w)).sort((a, b) => b[1] - a[1]);
  return ok.length ? ok[0][0] : 'fattura';
})();

const results = [];
let driver;

function assert(cond, msg) {
  if (!cond) throw new Error(`assertion failed: ${msg}`);
}

async function shot(name) {
  await screenshot(driver, join(artifacts, `${name}.png`));
}

async function test(name, fn) {
  const t0 = Date.now();
  try {
    await fn();
    results.push({ name, ok: true });
    console.log(`ok   ${name} (${Date.now() - t0} ms)`);
  } catch (e) {
    results.push({ name, ok: false });
    console.log(`FAIL ${name}: ${e?.message ?? e}`);
    try {
      console.log(String(await driver.executeScript('return document.body.innerText')).slice(0, 400).replace(/\n+/g, ' | '));
      await shot(`fail-${name.replace(/[^a-z0-9]+/gi, '-')}`);
    } catch {}
  }
}

const $ = (css) => driver.findElement(By.css(css));
const waitFor = (css, ms = 20000) => driver.wait(until.elementLocated(By.css(css)), ms, `waiting for ${css}`);
// Re-rendered elements go stale between find and read: retry, null when absent.
async function attr(css, a) {
  for (let i = 0; i < 5; i++) {
    try {
      return await (await $(css)).getAttribute(a);
    } catch {
      await driver.sleep(100);
    }
  }
  return null;
}

async function main() {
  assert(APP && existsSync(APP), `APP binary (${APP})`);
  assert(FORGE_DIR && forgeSent > 0, `FORGE_DIR with a manifest (${FORGE_DIR})`);
  await mkdir(artifacts, { recursive: true });
  driver = await launch(APP, URL);
  // The app's own commands, as the UI calls them.
  const invoke = (cmd, args = {}) => invokeIn(driver, cmd, args);
  // No card (e.g. a search with no hit): the list gives way to an empty state.
  const total = async () => Number((await attr('[data-testid="card-list"]', 'data-total')) ?? 0);
  const scanDone = () =>
    driver.wait(async () => (await driver.findElements(By.css('[data-testid="ingest"]'))).length === 0, 60000, 'scan done');

  await test('first launch offers a folder and the demo', async () => {
    await waitFor('[data-testid="first-launch"]');
    await waitFor('[data-testid="add-folder"]');
    await waitFor('[data-testid="open-demo"]');
    await shot('01-first-launch');
  });

  await test('open the demo (first-launch button): its cards appear', async () => {
    await (await $('[data-testid="open-demo"]')).click();
    await waitFor('[data-testid="card-list"]', 60000);
    await driver.wait(async () => (await total()) === demoSent, 60000, `the demo's ${demoSent} cards`);
    await scanDone();
  });

  // Cards whose receipts are not all proof (signed, intact, trusted).
  const notProof = async () => (await invoke('list_cards', { args: { sort: 'newest', offset: 0, limit: 1000 } })).rows.filter((c) => !c.proof_ok).length;
  let demoNotProof = 0;

  await test('add a source (forge Maildir): one card per sent message', async () => {
    // The "Aggiungi cartella" button opens the native GTK folder dialog, which WebDriver
    // cannot drive; the dialog's answer (a path) feeds the add_source command, called
    // here the same way the UI calls it.
    demoNotProof = await notProof();
    const src = await invoke('add_source', { path: join(FORGE_DIR, 'mail') });
    assert(src.kind === 'maildir', `source kind ${src.kind}`);
    const want = demoSent + forgeSent;
    await driver.wait(async () => (await total()) === want, 120000, `${want} cards (demo ${demoSent} + forge ${forgeSent})`);
    await scanDone();
    await shot('02-cards');
  });

  await test('importing the root of the receipts already archived makes them proof', async () => {
    // The forge's receipts are signed by a test PKI not trusted yet: intact, untrusted.
    const before = await notProof();
    assert(before >= demoNotProof + forgeSent * 0.9, `untrusted forge cards: ${before} not proof (demo alone ${demoNotProof})`);
    // Impostazioni > Importa certificato (after its file dialog): import_trust.
    const imported = await invoke('import_trust', { kind: 'certificate', paths: [join(FORGE_DIR, 'trust/test-root.pem')] });
    assert(imported.errors.length === 0 && imported.added === 1, `import_trust: ${JSON.stringify(imported)}`);
    await driver.wait(async () => (await notProof()) === demoNotProof, 60000, `the archive verified again (${demoNotProof} not proof, as the demo alone)`);
    await scanDone();
  });

  await test('search as you type narrows the list (latency per keystroke)', async () => {
    const before = await total();
    // A word of a forge subject, typed one key at a time.
    const word = forgeWord;
    const lat = (await typeWord(driver, word)).map((x) => x.ms);
    const after = await total();
    console.log(`     search "${word}": ${before} -> ${after} cards; ms per keystroke: ${lat.join(' ')}`);
    // The word is in no address or id: exactly the cards whose subject has it.
    const inSubject = [...demoManifest.messages, ...forgeManifest.messages].filter((m) => (m.subject || '').toLowerCase().includes(word)).length;
    assert(after === inSubject && after < before, `search "${word}": ${after} cards, ${inSubject} subjects have it, ${before} in all`);
    const subjects = await driver.executeScript(
      `return [...document.querySelectorAll('[data-testid="card-list"] .subj-text')].map((e) => e.textContent.toLowerCase())`,
    );
    assert(subjects.length >= 1 && subjects.every((s) => s.includes(word)), `rows show "${word}": ${subjects.slice(0, 3)}`);
    await shot('03-search');
    const input = await $('[data-testid="search"]');
    await input.clear();
    await input.sendKeys('x', Key.BACK_SPACE);
    await driver.wait(async () => (await total()) === before, 10000, 'search cleared');
  });

  await test('open a card: timeline and verdicts', async () => {
    const list = await $('[data-testid="card-list"]');
    await driver.executeScript('arguments[0].focus()', list);
    await list.sendKeys(Key.ARROW_DOWN);
    await list.sendKeys(Key.ENTER);
    await waitFor('[data-testid="detail"]');
    await waitFor('[data-testid="detail"] [data-testid="timeline"]');
    const receipts = await driver.findElements(By.css('[data-testid="receipt"]'));
    assert(receipts.length >= 1, 'receipts listed');
    await shot('04-detail');
    await (await $('[data-testid="detail-close"]')).click();
  });

  await test('a receipt saved as .eml is the archived file byte for byte', async () => {
    // What the "Salva .eml" button does after the save dialog (which WebDriver cannot
    // drive) answered with a path: save_blob with the receipt's token.
    const page = await invoke('list_cards', { args: { sort: 'newest', offset: 0, limit: 1 } });
    const detail = await invoke('get_card', { id: page.rows[0].id });
    const r = detail.receipts.find((x) => x.eml && !x.file.includes('#'));
    assert(r, `a receipt with a file: ${JSON.stringify(detail.receipts.map((x) => x.file))}`);
    const dest = join(tmpdir(), `cartolina-e2e-${process.pid}-${r.eml.name}`);
    await invoke('save_blob', { token: r.eml.token, dest });
    assert(readFileSync(dest).equals(readFileSync(r.file)), `${dest} differs from ${r.file}`);
    assert(/^(accettazione|consegna|mancata-consegna|preavviso-di-mancata-consegna|presa-in-carico)-\d+\.eml$/.test(r.eml.name), `Italian name: ${r.eml.name}`);
    unlinkSync(dest);
    // A relative destination is refused (paths are validated in the shell).
    const refused = await invoke('save_blob', { token: r.eml.token, dest: 'relative.eml' }).then(() => null, (e) => String(e));
    assert(refused && refused.includes('destinazione non valida'), `relative path: ${refused}`);
  });

  await test('verify a .p7m (native drop path)', async () => {
    const p7m = join(SAMPLES, 'infocert-fattura.xml.p7m');
    assert(existsSync(p7m), `${p7m} exists`);
    await (await $('[data-testid="nav-verify"]')).click();
    await waitFor('[data-testid="verifier-view"]');
    // A native drop: the webview's drag-drop event with the file's path (the same event
    // the window gets when a file is dropped on it).
    const err = await driver.executeAsyncScript(
      `const done = arguments[arguments.length - 1];
       window.__TAURI_INTERNALS__.invoke('plugin:event|emit_to', { target: { kind: 'Webview', label: 'main' }, event: 'tauri://drag-drop',
         payload: { paths: [arguments[0]], position: { x: 10, y: 10 } } }).then(() => done(null), (e) => done(String(e)));`,
      p7m,
    );
    assert(err === null, `drop event: ${err}`);
    await waitFor('[data-testid="verify-result"][data-kind="p7m"]', 20000);
    const integrity = await attr('[data-testid="verify-result"] [data-part="integrity"]', 'data-value');
    assert(integrity === 'intact', `integrity ${integrity}`);
    const extracted = await (await $('[data-testid="extracted"]')).getText();
    assert(extracted.includes('infocert-fattura.xml'), `extracted: ${extracted}`);
    // The verifier's reasons in the UI's language (Italian), not the engine's English.
    const trustText = await (await $('[data-testid="verify-result"] [data-part="trust"]')).getText();
    assert(!/not found|not trusted|chain to trust anchor|valid at/.test(trustText), `trust reason in English: ${trustText}`);
    assert(/certificat|catena|radice/.test(trustText), `trust reason in Italian: ${trustText}`);
    await shot('05-verifier-p7m');
  });

  await test('mail arriving in a watched source shows up (live)', async () => {
    if (!LATER_DIR) return;
    const later = JSON.parse(readFileSync(join(LATER_DIR, 'manifest.json'), 'utf8')).messages.length;
    await (await $('[data-testid="nav-cards"]')).click();
    await waitFor('[data-testid="card-list"]');
    const before = await total();
    assert(before === demoSent + forgeSent, `cards before: ${before}`);
    // Delivered the Maildir way: the sent copies and the receipts appear in cur/.
    for (const sub of ['.Sent/cur', 'cur']) {
      for (const f of readdirSync(join(LATER_DIR, 'mail', sub))) copyFileSync(join(LATER_DIR, 'mail', sub, f), join(FORGE_DIR, 'mail', sub, f));
    }
    await driver.wait(async () => (await total()) === before + later, 30000, `${before + later} cards after ${later} new messages`);
  });

  await test('settings: both sources listed', async () => {
    await (await $('[data-testid="nav-settings"]')).click();
    await waitFor('[data-testid="settings-view"]');
    const text = await (await $('[data-testid="sources"]')).getText();
    assert(/mailbox/.test(text) && text.includes(join(FORGE_DIR, 'mail')), `sources: ${text}`);
    // Each certificate once (by fingerprint), however often imported: the forge root again
    // (as DER too) adds nothing. The demo's test root is another certificate with the same
    // name: its row differs by fingerprint, so no two rows read the same.
    const der = Buffer.from(readFileSync(join(FORGE_DIR, 'trust/test-root.pem'), 'utf8').replace(/-----[^-]+-----|\s/g, ''), 'base64');
    const derPath = join(tmpdir(), `cartolina-e2e-${process.pid}-root.der`);
    writeFileSync(derPath, der);
    const again = await invoke('import_trust', { kind: 'certificate', paths: [join(FORGE_DIR, 'trust/test-root.pem'), derPath] });
    unlinkSync(derPath);
    assert(again.added === 0 && again.skipped === 2, `re-import: ${JSON.stringify(again)}`);
    const store = await invoke('get_trust_store');
    const fps = store.anchors.map((a) => a.sha256_fingerprint);
    assert(new Set(fps).size === fps.length && fps.every((f) => f.length === 64), `anchors once each: ${JSON.stringify(store.anchors.map((a) => a.common_name))}`);
    await (await $('[data-testid="nav-cards"]')).click();
    await (await $('[data-testid="nav-settings"]')).click();
    await waitFor('[data-testid="anchors"] li');
    const rows = await driver.executeScript(`return [...document.querySelectorAll('[data-testid="anchors"] li')].map((e) => e.textContent.trim())`);
    assert(rows.length === store.anchors.length && new Set(rows).size === rows.length, `anchor rows: ${JSON.stringify(rows)}`);
    await shot('06-settings');
  });

  await driver.quit();
  const passed = results.filter((r) => r.ok).length;
  const failed = results.length - passed;
  console.log(`app-e2e: ${passed} passed, ${failed} failed`);
  process.exit(failed ? 1 : 0);
}

main().catch(async (e) => {
  console.log(`FAIL setup: ${e?.stack ?? e}`);
  try {
    await driver?.quit();
  } catch {}
  const passed = results.filter((r) => r.ok).length;
  console.log(`app-e2e: ${passed} passed, ${results.length - passed + 1} failed`);
  process.exit(1);
});
