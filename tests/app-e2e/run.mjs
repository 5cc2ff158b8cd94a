// End-to-end tests of the real Cartolina app: the release binary of src-tauri, driven
// over WebDriver by tauri-driver (which runs Debian's WebKitWebDriver). Run under Xvfb
// (run.sh does all of it). Each screen is saved to artifacts/; prints
// `app-e2e: N passed, M failed` and exits non-zero on failure.
//
// Environment: APP (binary), SAMPLES (folder with infocert-fattura.xml.p7m),
// TAURI_DRIVER_URL (default http://127.0.0.1:4444).
import { Builder, By, until, Key } from 'selenium-webdriver';
import { mkdir, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const artifacts = join(here, 'artifacts');
const APP = process.env.APP;
const SAMPLES = process.env.SAMPLES || join(here, '../../../shared/samples/real');
const URL = process.env.TAURI_DRIVER_URL || 'http://127.0.0.1:4444';

const results = [];
let driver;

function assert(cond, msg) {
  if (!cond) throw new Error(`assertion failed: ${msg}`);
}

async function shot(name) {
  const png = await driver.takeScreenshot();
  await writeFile(join(artifacts, `${name}.png`), png, 'base64');
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
  await mkdir(artifacts, { recursive: true });
  driver = await new Builder()
    .usingServer(URL)
    .withCapabilities({ browserName: 'wry', 'tauri:options': { application: APP } })
    .build();

  await test('first launch offers the demo', async () => {
    await waitFor('[data-testid="first-launch"]');
    await waitFor('[data-testid="open-demo"]');
    await shot('01-first-launch');
  });

  await test('add the demo source, cards appear', async () => {
    await (await $('[data-testid="open-demo"]')).click();
    await waitFor('[data-testid="card-list"]', 60000);
    await driver.wait(async () => Number(await attr('[data-testid="card-list"]', 'data-total')) > 0, 60000, 'cards after the scan');
    await driver.wait(async () => (await driver.findElements(By.css('[data-testid="ingest"]'))).length === 0, 60000, 'scan done');
    const total = Number(await attr('[data-testid="card-list"]', 'data-total'));
    assert(total >= 10, `cards: ${total}`);
    await shot('02-cards');
  });

  await test('search narrows the list', async () => {
    const before = Number(await attr('[data-testid="card-list"]', 'data-total'));
    const input = await $('[data-testid="search"]');
    // A word of the first card's subject.
    const first = await driver.executeScript(
      `const r = document.querySelector('[data-testid="card-list"] [role="row"], [data-testid="card-list"] [role="option"], [data-testid="card-list"] li');
       return r ? r.textContent : '';`,
    );
    const word = (String(first).match(/[A-Za-zÀ-ú]{6,}/g) || ['fattura'])[0];
    await input.sendKeys(word);
    await driver.wait(async () => Number(await attr('[data-testid="card-list"]', 'data-total')) < before, 10000, `search "${word}" narrows`);
    const after = Number(await attr('[data-testid="card-list"]', 'data-total'));
    assert(after >= 1, `search "${word}" finds its own card (${after})`);
    await shot('03-search');
    await input.sendKeys(Key.chord(Key.CONTROL, 'a'), Key.BACK_SPACE);
    await driver.wait(async () => Number(await attr('[data-testid="card-list"]', 'data-total')) === before, 10000, 'search cleared');
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
    await shot('05-verifier-p7m');
  });

  await test('settings: sources listed', async () => {
    await (await $('[data-testid="nav-settings"]')).click();
    await waitFor('[data-testid="settings-view"]');
    const text = await (await $('[data-testid="sources"]')).getText();
    assert(/mailbox/.test(text), `sources: ${text}`);
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
