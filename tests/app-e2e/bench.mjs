// Performance of the real app over a big archive (bench.sh sets it all up):
//  - window interactive: from the app process's start (/proc/PID/stat) to the first page
//    of cards on screen (the UI's `cartolina:first-cards` User Timing mark, set two
//    frames after the first list_cards answer is rendered), over RUNS launches;
//  - search as you type: per keystroke, from the input event to the answer's rows on
//    screen (the next frame); the UI sends each keystroke's request at once;
//  - idle: CPU time of the app and its WebKit processes over IDLE_S seconds once the
//    start-up re-scan is over, and their RSS / PSS.
// Prints a human summary and one JSON line (`app-bench: {...}`).
//
// Environment: APP, TAURI_DRIVER_URL, RUNS (default 5), IDLE_S (default 30),
// WORDS (comma-separated search words; default from the corpus manifest, MANIFEST).
import { readFileSync, readdirSync, readlinkSync, realpathSync } from 'node:fs';
import { mkdir } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { launch, screenshot, sleep, typeWord } from './session.mjs';

const here = dirname(fileURLToPath(import.meta.url));
const APP = realpathSync(process.env.APP);
const URL = process.env.TAURI_DRIVER_URL;
const RUNS = Number(process.env.RUNS || 5);
const IDLE_S = Number(process.env.IDLE_S || 30);
const TICK = 100; // USER_HZ on Linux
const PAGE = 4096;

// The boot time as a Unix time in ms, from /proc/uptime (10 ms precision). Not /proc/stat's
// `btime`: whole seconds, which put every process start up to a second early (on one
// boot here 755 ms: every "interactive" figure was that much too long).
const bootEpochMs = (() => {
  const est = [];
  for (let i = 0; i < 5; i++) est.push(Date.now() - Number(readFileSync('/proc/uptime', 'utf8').split(' ')[0]) * 1000);
  return Math.min(...est); // uptime is truncated, so each estimate is late: the earliest is the closest
})();
function stat(pid) {
  const s = readFileSync(`/proc/${pid}/stat`, 'utf8');
  const f = s.slice(s.lastIndexOf(')') + 2).split(' '); // f[0] is field 3 (state)
  return { ppid: Number(f[1]), utime: Number(f[11]), stime: Number(f[12]), start: Number(f[19]), rss: Number(f[21]) * PAGE };
}
const startEpochMs = (pid) => bootEpochMs + (stat(pid).start / TICK) * 1000;
function pids() {
  return readdirSync('/proc').filter((d) => /^\d+$/.test(d)).map(Number);
}
function exeOf(pid) {
  try {
    return readlinkSync(`/proc/${pid}/exe`);
  } catch {
    return null;
  }
}
/** The app's process: the newest one running APP. */
function appPid() {
  const mine = pids().filter((p) => exeOf(p) === APP);
  return mine.sort((a, b) => stat(b).start - stat(a).start)[0];
}
/** The app and its descendants (WebKitWebProcess, WebKitNetworkProcess). */
function family(root) {
  const all = pids().flatMap((p) => {
    try {
      return [[p, stat(p).ppid]];
    } catch {
      return [];
    }
  });
  const out = [root];
  for (let i = 0; i < out.length; i++) for (const [p, pp] of all) if (pp === out[i]) out.push(p);
  return out;
}
function name(pid) {
  try {
    return readFileSync(`/proc/${pid}/comm`, 'utf8').trim();
  } catch {
    return '?';
  }
}
function cpuTicks(list) {
  let t = 0;
  for (const p of list) {
    try {
      const s = stat(p);
      t += s.utime + s.stime;
    } catch {}
  }
  return t;
}
function memory(list) {
  let rss = 0;
  let pss = 0;
  const per = [];
  for (const p of list) {
    try {
      const r = readFileSync(`/proc/${p}/smaps_rollup`, 'utf8');
      const kb = (k) => Number((r.match(new RegExp(`^${k}:\\s+(\\d+) kB`, 'm')) || [0, 0])[1]);
      rss += kb('Rss');
      pss += kb('Pss');
      per.push({ pid: p, name: name(p), rss_mb: +(kb('Rss') / 1024).toFixed(1), pss_mb: +(kb('Pss') / 1024).toFixed(1) });
    } catch {}
  }
  return { rss_mb: +(rss / 1024).toFixed(1), pss_mb: +(pss / 1024).toFixed(1), per };
}
const median = (a) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length ? s[Math.floor(s.length / 2)] : null;
};
const pct = (a, q) => {
  const s = [...a].sort((x, y) => x - y);
  return s.length ? s[Math.min(s.length - 1, Math.ceil(q * s.length) - 1)] : null;
};

async function firstCards(driver, timeoutMs = 60000) {
  const t0 = Date.now();
  for (;;) {
    const m = await driver.executeScript(
      `const e = performance.getEntriesByName('cartolina:first-cards')[0]; return e ? e.detail : null;`,
    );
    if (m) return m;
    if (Date.now() - t0 > timeoutMs) throw new Error('no cartolina:first-cards mark');
    await sleep(20);
  }
}

/** The latest launch's start-up steps from the driver log (DRIVER_LOG), in ms after `start`. */
function shellSteps(start) {
  if (!process.env.DRIVER_LOG) return {};
  let log = '';
  try {
    log = readFileSync(process.env.DRIVER_LOG, 'utf8');
  } catch {
    return {};
  }
  const lines = log.split('\n');
  const from = lines.findLastIndex((l) => l.startsWith('cartolina-app: main '));
  const out = {};
  for (const l of lines.slice(Math.max(0, from))) {
    const m = l.match(/^cartolina-app: (main|setup done|page load Finished|warm-up: card index loaded|first list_cards received|first list_cards answered) .*\(epoch (\d+)\)/);
    if (m) out[`shell:${m[1]}`] = Math.round(Number(m[2]) - start);
  }
  return out;
}

/**
 * Scrolling the card list: FRAMES frames of `step` px each (as a fast wheel or a dragged
 * scrollbar would), then a jump to the middle of the list. Per frame: the interval
 * since the previous one and whether rows in view were still placeholders (their page
 * not yet fetched). The jump: ms until the rows in view are real.
 */
function scrollList(driver, { frames = 120, step = 640 } = {}) {
  return driver.executeAsyncScript(
    `const [frames, step, done] = [arguments[0], arguments[1], arguments[arguments.length - 1]];
     const list = document.querySelector('[data-testid="card-list"]');
     const holes = () => list.querySelectorAll('.crow.loading').length;
     (async () => {
       const frame = () => new Promise((r) => requestAnimationFrame(r));
       list.scrollTop = 0;
       await frame();
       const gaps = [];
       let withHoles = 0;
       let last = await frame();
       for (let i = 0; i < frames; i++) {
         list.scrollTop += step;
         const t = await frame();
         gaps.push(t - last);
         last = t;
         if (holes() > 0) withHoles++;
       }
       const t0 = performance.now();
       list.scrollTop = list.scrollHeight / 2;
       for (;;) {
         await frame();
         if (holes() === 0 && list.querySelectorAll('.crow').length > 0) break;
         if (performance.now() - t0 > 10000) break;
       }
       const jump = performance.now() - t0;
       list.scrollTop = 0;
       done({ gaps: gaps.map((g) => Math.round(g * 10) / 10), frames_with_placeholders: withHoles, jump_ms: Math.round(jump) });
     })();`,
    frames,
    step,
  );
}

function searchWords() {
  if (process.env.WORDS) return process.env.WORDS.split(',').filter(Boolean);
  const m = process.env.MANIFEST ? JSON.parse(readFileSync(process.env.MANIFEST, 'utf8')) : null;
  if (!m) return ['fattura', 'diffida', 'ingiuntivo'];
  // Three subject words: a common one, a middling one, a rare one.
  const n = new Map();
  for (const x of m.messages) for (const w of new Set((x.subject || '').toLowerCase().match(/[a-z]{6,}/g) || [])) n.set(w, (n.get(w) || 0) + 1);
  const s = [...n].sort((a, b) => b[1] - a[1]);
  return [s[0], s[Math.floor(s.length / 3)], s[Math.floor((2 * s.length) / 3)]].filter(Boolean).map((x) => x[0]);
}

async function main() {
  const out = { runs: [], interactive_ms: {}, search: {}, idle: {} };
  // 1. Launches.
  for (let i = 0; i < RUNS; i++) {
    const t0 = Date.now();
    const driver = await launch(APP, URL);
    const pid = appPid();
    const mark = await firstCards(driver);
    const start = startEpochMs(pid);
    const r = { interactive_ms: Math.round(mark.epoch - start), rows: mark.rows, session_ms: Math.round(mark.epoch - t0) };
    // Where the time went: the UI's start-up marks, from the process start.
    const marks = await driver.executeScript(
      `return performance.getEntriesByType('mark').filter((m) => m.name.startsWith('cartolina:')).map((m) => [m.name.slice(10), m.detail && m.detail.epoch]);`,
    );
    r.marks = Object.fromEntries(marks.map(([n, e]) => [n, Math.round(e - start)]));
    // The shell's own start-up steps (CARTOLINA_APP_TIMING lines in the driver log, with
    // their Unix times): main, setup, page load.
    Object.assign(r.marks, shellSteps(start));
    const total = await driver.executeScript(`return Number(document.querySelector('[data-testid="card-list"]')?.getAttribute('data-total'))`);
    r.total = total;
    out.runs.push(r);
    console.log(`launch ${i + 1}: interactive ${r.interactive_ms} ms after process start (${r.rows} rows of ${total} cards; ${r.session_ms} ms after the WebDriver session request; marks ${JSON.stringify(r.marks)})`);
    if (i < RUNS - 1) {
      await driver.quit();
      await sleep(1500);
      continue;
    }
    // 2. Search as you type, in the last launch.
    const words = searchWords();
    const all = [];
    for (const w of words) {
      const lat = await typeWord(driver, w, { paceMs: 120, clear: true });
      all.push(...lat.map((x) => x.ms));
      out.search[w] = lat;
      console.log(`search "${w}": ${lat.map((x) => `${x.q}=${x.dom_ms}+${x.ms - x.dom_ms}ms/${x.total}`).join(' ')}`);
    }
    out.search_ms = { keystrokes: all.length, median: median(all), p95: pct(all, 0.95), max: Math.max(...all), min: Math.min(...all) };
    // 3. Scrolling the list.
    const sc = await scrollList(driver);
    out.scroll = {
      frames: sc.gaps.length,
      frame_ms: { median: median(sc.gaps), p95: pct(sc.gaps, 0.95), max: Math.max(...sc.gaps) },
      frames_with_placeholders: sc.frames_with_placeholders,
      jump_to_middle_ms: sc.jump_ms,
    };
    console.log(
      `scroll: ${out.scroll.frames} frames of 10 rows, frame interval median ${out.scroll.frame_ms.median} ms, p95 ${out.scroll.frame_ms.p95} ms, max ${out.scroll.frame_ms.max} ms; ${sc.frames_with_placeholders} frames showed placeholder rows; jump to the middle: rows on screen after ${sc.jump_ms} ms`,
    );
    // 4. Idle: wait until the start-up work is over (CPU below 2 % over 2 s, at most
    // 180 s), then IDLE_S seconds.
    const fam = () => family(pid);
    const settleT0 = Date.now();
    for (;;) {
      const a = cpuTicks(fam());
      await sleep(2000);
      const b = cpuTicks(fam());
      if ((b - a) / TICK / 2 < 0.02 || Date.now() - settleT0 > 180000) break;
    }
    out.idle.settled_after_s = Math.round((Date.now() - settleT0) / 1000);
    const members = fam();
    const before = members.map((p) => [p, cpuTicks([p])]);
    const w0 = Date.now();
    await sleep(IDLE_S * 1000);
    const wall = (Date.now() - w0) / 1000;
    out.idle.window_s = +wall.toFixed(1);
    out.idle.per = before.map(([p, t]) => ({ pid: p, name: name(p), cpu_pct: +((100 * (cpuTicks([p]) - t)) / TICK / wall).toFixed(2) }));
    out.idle.cpu_pct_total = +out.idle.per.reduce((s, x) => s + x.cpu_pct, 0).toFixed(2);
    out.idle.memory = memory(members);
    console.log(`idle (after ${out.idle.settled_after_s} s to settle), ${out.idle.window_s} s: CPU ${out.idle.cpu_pct_total} % (${out.idle.per.map((x) => `${x.name} ${x.cpu_pct}%`).join(', ')})`);
    console.log(`memory: RSS ${out.idle.memory.rss_mb} MB, PSS ${out.idle.memory.pss_mb} MB (${out.idle.memory.per.map((x) => `${x.name} ${x.rss_mb}/${x.pss_mb}`).join(', ')})`);
    if (process.env.SHOT) {
      await mkdir(join(here, 'artifacts'), { recursive: true });
      await screenshot(driver, join(here, 'artifacts', 'bench-cards.png'));
    }
    await driver.quit();
  }
  const im = out.runs.map((r) => r.interactive_ms);
  out.interactive_ms = { median: median(im), max: Math.max(...im), runs: im };
  console.log(`window interactive: median ${out.interactive_ms.median} ms, max ${out.interactive_ms.max} ms over ${im.length} launches`);
  console.log(`search as you type: median ${out.search_ms.median} ms, p95 ${out.search_ms.p95} ms, max ${out.search_ms.max} ms per keystroke over ${out.search_ms.keystrokes} (min ${out.search_ms.min} ms)`);
  console.log(`app-bench: ${JSON.stringify(out)}`);
}

main().catch((e) => {
  console.error(e?.stack ?? e);
  process.exit(1);
});
