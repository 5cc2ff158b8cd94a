// Shared by run.mjs (the end-to-end test) and bench.mjs (the benchmark): launching the
// real app over WebDriver, calling its commands the way the UI does, and typing into
// the search box one key at a time while timing each keystroke's answer.
import { execFileSync } from 'node:child_process';
import { Builder } from 'selenium-webdriver';

export const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A WebDriver session on the app binary: tauri-driver starts the app for it. */
export function launch(app, url) {
  return new Builder().usingServer(url).withCapabilities({ browserName: 'wry', 'tauri:options': { application: app } }).build();
}

/** One of the app's commands, called as the UI calls it (window.__TAURI_INTERNALS__). */
export async function invoke(driver, cmd, args = {}) {
  const r = await driver.executeAsyncScript(
    `const done = arguments[arguments.length - 1];
     window.__TAURI_INTERNALS__.invoke(arguments[0], arguments[1]).then((v) => done({ ok: v ?? null }), (e) => done({ err: String(e) }));`,
    cmd,
    args,
  );
  if (r.err !== undefined) throw new Error(`${cmd}: ${r.err}`);
  return r.ok;
}

/**
 * Type `word` into the cards' search box one key at a time, as input events. For each
 * prefix: `ms` from the input event to the answer's rows on screen (the cards view's
 * `data-result-query` is that text, then the next frame), `dom_ms` to the answer in
 * the DOM, and the list's total. `paceMs` waits between keys (a typist's pace: each key
 * its own request; 0 types the next key as soon as the answer shows). `clear` empties
 * the box at the end and waits for the full list again.
 */
export function typeWord(driver, word, { paceMs = 0, clear = false } = {}) {
  return driver.executeAsyncScript(
    `const [word, paceMs, clear, done] = [arguments[0], arguments[1], arguments[2], arguments[arguments.length - 1]];
     const input = document.querySelector('[data-testid="search"]');
     const view = document.querySelector('[data-testid="cards-view"]');
     const setter = Object.getOwnPropertyDescriptor(HTMLInputElement.prototype, 'value').set;
     const answered = (v) => new Promise((resolve) => {
       let inDom = 0;
       const finish = () => { inDom = performance.now(); obs.disconnect(); requestAnimationFrame(() => resolve(inDom)); };
       const obs = new MutationObserver(() => { if (view.getAttribute('data-result-query') === v) finish(); });
       obs.observe(view, { attributes: true, attributeFilter: ['data-result-query'] });
       if (view.getAttribute('data-result-query') === v) finish();
     });
     const type = (v) => { setter.call(input, v); input.dispatchEvent(new Event('input', { bubbles: true })); };
     (async () => {
       const out = [];
       for (let i = 1; i <= word.length; i++) {
         const v = word.slice(0, i);
         const t0 = performance.now();
         type(v);
         const inDom = await answered(v);
         // No hits: the list gives way to an empty state.
         const list = document.querySelector('[data-testid="card-list"]');
         out.push({ q: v, ms: Math.round(performance.now() - t0), dom_ms: Math.round(inDom - t0), total: list ? Number(list.getAttribute('data-total')) : 0 });
         if (paceMs > 0) await new Promise((r) => setTimeout(r, paceMs));
       }
       if (clear) {
         type('');
         await answered('');
       }
       done(out);
     })();`,
    word,
    paceMs,
    clear,
  );
}

/**
 * The app's window as it is on the X display, to a PNG (ImageMagick's `import`, by the
 * window's title). Not WebDriver's screenshot: WebKitGTK takes that through accelerated
 * compositing, which the app turns off on a machine without a GPU, such as this Xvfb
 * display (the call then never answers). Waits two frames first, so that what is in the
 * DOM is also painted.
 */
export async function screenshot(driver, path) {
  await driver.executeAsyncScript('const done = arguments[0]; requestAnimationFrame(() => requestAnimationFrame(() => setTimeout(done, 150)));');
  execFileSync('import', ['-display', process.env.DISPLAY, '-window', 'Cartolina', path], { timeout: 20000 });
}
