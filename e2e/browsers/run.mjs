// The cross-browser suite: `node run.mjs firefox|webkit` drives the
// built playground at $STAMPEDE_URL (served by wasm/devserver, which
// counts what it received) in one browser and prints one JSON line per
// check: {"check", "ok", "ms", "log": [...], "error"}. It writes its
// screenshots to $STAMPEDE_SHOTS. e2e/browsers_test.go builds the site,
// serves it, runs this once per browser and turns each line into a
// subtest; run it that way (make test), not by hand.
//
// Every wait is on a state the page or the server shows, with a generous
// deadline for a busy machine; no check sleeps.

import { join } from "node:path";

const browserName = process.argv[2];
const base = process.env.STAMPEDE_URL;
const shots = process.env.STAMPEDE_SHOTS;
if (!["firefox", "webkit"].includes(browserName) || !base || !shots) {
  console.error("usage: STAMPEDE_URL=http://127.0.0.1:PORT STAMPEDE_SHOTS=DIR node run.mjs firefox|webkit");
  process.exit(2);
}

// Deadlines: a wait fails after this long without the state it wants.
// They are generous (app.wasm compiles at load, and the machine may be
// busy); a passing run takes a fraction of them.
const LOAD = 120_000;
const RUN = 60_000;

const twoURLs = "w x20: get data/a.json; get data/b.json";

// The server's side: what it received.
async function counts() {
  const r = await fetch(base + "/_stampede/counts", { cache: "no-store" });
  return r.json();
}
async function resetCounts() {
  await fetch(base + "/_stampede/reset", { method: "POST" });
}
async function aborted() {
  const r = await fetch(base + "/_e2e/aborted", { cache: "no-store" });
  return (await r.json()).aborted;
}

class CheckError extends Error {}
function expect(cond, msg) {
  if (!cond) throw new CheckError(msg);
}

// waitFor evaluates expr in tab until it is truthy and returns that
// value; it fails after timeout with what expr last gave.
async function waitFor(tab, expr, what, timeout = RUN) {
  const deadline = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      last = await tab.eval(expr);
      if (last) return last;
    } catch (e) {
      last = `error: ${e.message}`; // a page still loading
    }
    if (Date.now() > deadline) {
      throw new CheckError(`${what}: not within ${timeout / 1000}s (last: ${JSON.stringify(last)})`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

// waitServer polls a server-side condition the same way.
async function waitServer(fn, what, timeout = RUN) {
  const deadline = Date.now() + timeout;
  for (;;) {
    const v = await fn();
    if (v) return v;
    if (Date.now() > deadline) throw new CheckError(`${what}: not within ${timeout / 1000}s`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

const READY = `typeof window.stampede === "object" && window.stampede !== null && typeof window.stampede.run === "function"`;

// IDLE: ready, and the cache inspector has read IndexedDB once and is
// not reading it now. A page still reading holds a transaction open. In
// WebKit, under load, a first window's clear() once never returned after
// the driver had opened a second window and left it in the middle of
// that read: the second window, asked nothing more, seemed not to go on.
// So a check goes on from pages that have settled.
const IDLE = `${READY} && (() => {
  const c = document.getElementById("cache"), s = document.getElementById("cache-summary");
  return !!c && c.getAttribute("aria-busy") !== "true" && !!s && !/^(Reading the cache|The cache opens)/.test(s.textContent);
})()`;

async function open(tab, path) {
  await tab.goto(base + path);
  await waitFor(tab, IDLE, `window.stampede and the cache listing after loading ${path}`, LOAD);
}

// runStats waits until #run-stats has data-state=state and returns its
// data- attributes.
function runStats(tab, state, timeout = RUN) {
  return waitFor(
    tab,
    `(() => { const o = document.getElementById("run-stats");
       return o && o.dataset.state === ${JSON.stringify(state)} ? Object.assign({}, o.dataset) : null; })()`,
    `#run-stats data-state=${state}`,
    timeout,
  );
}

// run starts window.stampede.run(opts) and waits for it to settle. The
// promise is kept in the page and polled, so a long run never holds a
// driver call open, and two tabs can run at once.
async function start(tab, opts) {
  await tab.eval(`(() => {
    window.__run = null;
    window.stampede.run(${JSON.stringify(opts)}).then(
      (s) => { window.__run = {ok: true, stats: s}; },
      (e) => { window.__run = {ok: false, error: String(e && e.message || e)}; });
    return true; })()`);
}
async function settled(tab, timeout = RUN) {
  return waitFor(tab, `window.__run`, "window.stampede.run to settle", timeout);
}

// settledAll waits for the runs started in several tabs, asking each tab
// in turn, so that every tab gets the driver's attention (see IDLE) while
// the others wait on it.
async function settledAll(tabs, timeout = RUN) {
  const deadline = Date.now() + timeout;
  const out = tabs.map(() => null);
  for (;;) {
    for (const [i, tab] of tabs.entries()) {
      if (!out[i]) out[i] = await tab.eval(`window.__run`);
    }
    if (out.every((o) => o)) return out;
    if (Date.now() > deadline) throw new CheckError(`runs in ${tabs.length} tabs to settle: not within ${timeout / 1000}s (settled: ${out.map((o) => !!o)})`);
    await new Promise((r) => setTimeout(r, 100));
  }
}
async function mustRun(tab, opts) {
  await start(tab, opts);
  const out = await settled(tab);
  expect(out.ok, `window.stampede.run(${JSON.stringify(opts)}) rejected: ${out.error}`);
  return out.stats;
}

// painted resolves after the page has drawn two frames, so a screenshot
// shows what the DOM holds.
const PAINTED = `new Promise((r) => requestAnimationFrame(() => requestAnimationFrame(() => r(true))))`;

async function screenshot(tab, name) {
  await tab.eval(PAINTED);
  const file = join(shots, `${browserName}-${name}.png`);
  await tab.screenshot(file);
  return file;
}

// The checks. Each gets the browser and a log function, and throws to fail.
const checks = [
  async function ready(br, log) {
    const tab = (br.tab = await br.newTab());
    const t0 = Date.now();
    await open(tab, "/?fresh=1");
    const env = await tab.eval(`({ua: navigator.userAgent, locks: !!(navigator.locks && navigator.locks.request),
      idb: typeof indexedDB, sw: "serviceWorker" in navigator, broadcast: typeof BroadcastChannel,
      version: window.stampede.version, notice: (document.getElementById("notice") || {}).innerText || ""})`);
    log(`${br.version}; ready in ${Date.now() - t0} ms; ${env.ua}`);
    log(`Web Locks ${env.locks}, IndexedDB ${env.idb}, service worker ${env.sw}, BroadcastChannel ${env.broadcast}`);
    expect(env.version, "window.stampede.version is empty");
    expect(env.idb === "object", `indexedDB is ${env.idb}`);
    expect(!env.notice.includes("in-memory"), `the page fell back to memory: ${env.notice}`);
    br.locks = env.locks;
  },

  async function seed(br, log) {
    const tab = br.tab;
    await resetCounts();
    await tab.goto(base + "/?preset=seed&strategy=lock&run=1&fresh=1");
    const attrs = await runStats(tab, "done", LOAD);
    const c = await counts();
    log(`#run-stats ${JSON.stringify(attrs)}; server ${JSON.stringify(c)}`);
    for (const [k, want] of Object.entries({ strategy: "lock", workers: "3", requests: "3", fetches: "2", deduped: "1", errors: "0" })) {
      expect(attrs[k] === want, `#run-stats data-${k} = ${attrs[k]}; want ${want}`);
    }
    expect(c["/data/stuff.json"] === 1 && c["/data/other.json"] === 1,
      `server received stuff.json ${c["/data/stuff.json"]} and other.json ${c["/data/other.json"]} times; want once each`);
    const lines = await tab.eval(`document.querySelectorAll("#log .line").length`);
    const bars = await tab.eval(`document.querySelectorAll('section#timeline rect[data-kind="fetch"]').length`);
    expect(lines > 0, "the log shows no line");
    expect(bars > 0, "the timeline shows no fetch bar");
    log(`wrote ${await screenshot(tab, "seed")}`);
  },

  async function reload(br, log) {
    const tab = br.tab;
    await open(tab, "/");
    await resetCounts();
    let st = await mustRun(tab, { scenario: twoURLs, strategy: "keyed", latency: "50ms", fresh: true });
    let c = await counts();
    expect(st.fetches === 2 && c["/data/a.json"] === 1 && c["/data/b.json"] === 1,
      `filling the cache: ${JSON.stringify(st)}, server ${JSON.stringify(c)}; want one fetch of each URL`);
    await open(tab, "/");
    await resetCounts();
    st = await mustRun(tab, { scenario: twoURLs, strategy: "keyed", latency: "50ms" });
    c = await counts();
    log(`after the reload: ${JSON.stringify(st)}; server ${JSON.stringify(c)}`);
    expect(st.fetches === 0 && Object.keys(c).length === 0, `after the reload: ${st.fetches} fetches, server ${JSON.stringify(c)}; want none: IndexedDB did not keep the cache`);
    expect(st.hits === 40 && st.errors === 0, `after the reload: ${st.hits} hits, ${st.errors} errors; want 40 and 0`);
  },

  async function crosstab(br, log) {
    const a = br.tab;
    if (!br.locks) {
      const out = await (async () => {
        await start(a, { scenario: "w: get data/a.json", strategy: "crosstab", latency: "0" });
        return settled(a);
      })();
      log(`no Web Locks: crosstab ${out.ok ? "ran" : "refused: " + out.error}`);
      expect(!out.ok && out.error.includes("Web Locks"), `crosstab without Web Locks: ${JSON.stringify(out)}; want a refusal naming Web Locks`);
      return;
    }
    const b = await br.newTab();
    try {
      await twoTabs(a, b, log);
    } finally {
      await b.close();
    }
  },

  async function compare(br, log) {
    const tab = br.tab;
    await resetCounts();
    await tab.eval(`(() => { window.__cmp = null; window.stampede.compare({scenario: ${JSON.stringify(twoURLs)}, latency: "50ms"}).then(
      (rows) => { window.__cmp = {ok: true, rows}; }, (e) => { window.__cmp = {ok: false, error: String(e.message)}; }); return true; })()`);
    const out = await waitFor(tab, `window.__cmp`, "window.stampede.compare to settle", 3 * RUN);
    expect(out.ok, `compare rejected: ${out.error}`);
    const want = ["none", "lock", "keyed", "singleflight", "percall", "crosstab", "swr", "xfetch"].filter((s) => br.locks || s !== "crosstab");
    const got = out.rows.map((r) => r.strategy);
    log(out.rows.map((r) => `${r.strategy}: ${r.fetches} fetches, ${r.deduped} deduped, ${Math.round(r.wallMs)} ms`).join("; "));
    expect(JSON.stringify(got) === JSON.stringify(want), `rows ${got}; want ${want}`);
    const table = await tab.eval(`[...document.querySelectorAll("#compare tbody tr")].map((tr) => [tr.dataset.strategy, Number(tr.querySelector("td.fetches").textContent)])`);
    expect(table.length === want.length, `the table has ${table.length} rows; want ${want.length}`);
    let total = 0;
    for (const [i, r] of out.rows.entries()) {
      total += r.fetches;
      expect(r.errors === 0 && r.fetches + r.deduped === 40, `${r.strategy}: ${JSON.stringify(r)}; want 40 requests, no error`);
      expect(table[i][0] === r.strategy && table[i][1] === r.fetches, `table row ${i} ${table[i]}; the API says ${r.strategy} ${r.fetches}`);
      if (["none", "percall"].includes(r.strategy)) expect(r.fetches > 2, `${r.strategy} made ${r.fetches} fetches; want a stampede`);
      else expect(r.fetches === 2, `${r.strategy} made ${r.fetches} fetches; want 2, one per URL`);
    }
    const c = await counts();
    const served = (c["/data/a.json"] || 0) + (c["/data/b.json"] || 0);
    expect(total === served, `the rows add up to ${total} fetches; the server received ${served}`);
    if (!br.locks) {
      const note = await tab.eval(`(document.getElementById("compare-note") || {}).textContent || ""`);
      log(`note: ${note}`);
      expect(note.includes("crosstab"), `no note says why crosstab is left out: ${note}`);
    }
    await tab.eval(`(document.getElementById("tools").scrollIntoView({block: "start"}), true)`);
    log(`wrote ${await screenshot(tab, "compare")}`);
  },

  async function expiry(br, log) {
    // The expiry preset (400 requests a second for 6 s, ttl 2 s) under
    // keyed: one fetch per expiry, what the server received equal to the
    // page's count.
    const tab = br.tab;
    await mustRun(tab, { preset: "expiry", strategy: "keyed", fresh: true });
    await resetCounts();
    const st = await mustRun(tab, { preset: "expiry", strategy: "keyed" });
    const c = await counts();
    const served = c["/data/hot.json"] || 0;
    const windows = Math.ceil(st.wallMs / 2000) + 1;
    log(`expiry under keyed: ${JSON.stringify(st)}; server ${served}`);
    expect(served === st.fetches, `the server received ${served} fetches; the page counted ${st.fetches}`);
    expect(st.errors === 0 && st.requests === 2400, `${JSON.stringify(st)}: want 2400 requests, no error`);
    expect(st.fetches >= 2 && st.fetches <= windows, `${st.fetches} fetches over ${windows} expiry windows; want one per expiry`);
    const bars = await tab.eval(`document.querySelectorAll("#load rect[data-bucket][data-fetches]").length`);
    expect(bars > 0, "the load view draws no bucket");
  },

  async function lesson(br, log) {
    // The lock lesson from its link, run at once: the server sees
    // stuff.json once, and the page's answer agrees with the lesson's
    // claims (data-check="ok").
    const tab = br.tab;
    await resetCounts();
    await open(tab, "/?lesson=lock&run=1");
    const answer = await waitFor(tab, `(() => { const a = document.getElementById("lesson-answer");
      return a && a.dataset.state === "answered" ? {check: a.dataset.check, answer: a.dataset.answer} : false; })()`,
      "the lock lesson's answer");
    const c = await counts();
    log(`lesson lock: ${JSON.stringify(answer)}; server ${JSON.stringify(c)}`);
    expect(answer.check === "ok", `the lesson's check says ${answer.check}; want ok`);
    expect(c["/data/stuff.json"] === 1, `the server received stuff.json ${c["/data/stuff.json"]} times; want once`);
  },

  async function embed(br, log) {
    const tab = br.tab;
    await tab.setSize(960, 540);
    await resetCounts();
    await tab.goto(base + "/?embed=1&preset=seed&strategy=keyed&run=1&fresh=1");
    const attrs = await runStats(tab, "done", LOAD);
    const l = await tab.eval(`({embed: !!document.querySelector(".playground.embed"), header: !!document.querySelector("header"),
      footer: !!document.querySelector("footer"), explain: !!document.getElementById("explain"),
      counters: !!document.getElementById("counters"), log: document.querySelectorAll("#log .line").length,
      scrollW: document.documentElement.scrollWidth, w: innerWidth, h: innerHeight})`);
    const c = await counts();
    log(`#run-stats fetches ${attrs.fetches}, deduped ${attrs.deduped}; layout ${JSON.stringify(l)}`);
    expect(attrs.fetches === "2" && attrs.deduped === "1", `#run-stats ${JSON.stringify(attrs)}; want 2 fetches, 1 deduplicated`);
    expect(c["/data/stuff.json"] === 1, `server received stuff.json ${c["/data/stuff.json"]} times; want 1`);
    expect(l.embed && !l.header && !l.footer && !l.explain && l.counters && l.log > 0,
      `embed page ${JSON.stringify(l)}; want embed mode: counters and log, no header, footer or explanation`);
    expect(l.scrollW <= l.w + 1, `the embed is ${l.scrollW}px wide in a ${l.w}px window`);
    log(`wrote ${await screenshot(tab, "embed")}`);
    await tab.setSize(1280, 800);
  },

  async function stop(br, log) {
    const tab = br.tab;
    await open(tab, "/");
    await resetCounts();
    const slow = "slow/stop?ms=20000";
    await start(tab, { scenario: `crowd x5: get ${slow}\nother x3: get slow/stop2?ms=20000\nw: work 30s`, strategy: "keyed", latency: "0", fresh: true });
    await waitServer(async () => {
      const c = await counts();
      return c["/slow/stop"] >= 1 && c["/slow/stop2"] >= 1;
    }, "the slow fetches to reach the server");
    await runStats(tab, "running");
    const t0 = Date.now();
    await tab.eval(`(document.getElementById("stop").click(), true)`);
    const out = await settled(tab);
    const attrs = await runStats(tab, "done");
    const took = Date.now() - t0;
    log(`stopped in ${took} ms: ${JSON.stringify(out.stats || out.error)}`);
    expect(out.ok && out.stats.stopped === true && attrs.stopped === "true", `after Stop: ${JSON.stringify(out)}, #run-stats ${JSON.stringify(attrs)}; want a run that says it stopped`);
    // The fetches take 20 s and the work 30 s: a run that ends in under
    // half that was stopped, not finished.
    expect(took < 10_000, `Stop took ${took} ms; the run's own fetches take 20000 ms`);
    const c = await counts();
    const received = (c["/slow/stop"] || 0) + (c["/slow/stop2"] || 0);
    await waitServer(async () => (await aborted()) >= received, `all ${received} fetches the server received to be aborted`);
    if (br.locks) {
      const q = await tab.eval(`navigator.locks.query().then((q) => ({held: q.held.length, pending: q.pending.length}))`);
      expect(q.held === 0 && q.pending === 0, `Web Locks after Stop: ${JSON.stringify(q)}`);
    }
  },
];

// twoTabs runs crosstab in tabs a and b at once: one fetch for both.
async function twoTabs(a, b, log) {
  await open(b, "/");
  // Empty the shared cache once, then run both tabs at once.
  await mustRun(a, { scenario: "w: get data/c.json", strategy: "keyed", latency: "0", fresh: true });
  await resetCounts();
  const opts = { scenario: "w x10: get data/a.json", strategy: "crosstab", latency: "300ms", fresh: false };
  await start(a, opts);
  await start(b, opts);
  const [ra, rb] = await settledAll([a, b]);
  const c = await counts();
  log(`tab A ${JSON.stringify(ra.stats)}; tab B ${JSON.stringify(rb.stats)}; server ${JSON.stringify(c)}`);
  expect(ra.ok && rb.ok, `a run rejected: ${ra.error || rb.error}`);
  expect(c["/data/a.json"] === 1, `the server received /data/a.json ${c["/data/a.json"]} times; want 1 for both tabs`);
  expect(ra.stats.fetches + rb.stats.fetches === 1, `fetches ${ra.stats.fetches} + ${rb.stats.fetches}; want 1 in all`);
  for (const s of [ra.stats, rb.stats]) {
    expect(s.errors === 0 && s.deduped === 10 - s.fetches, `${JSON.stringify(s)}: want every other request deduplicated, no error`);
  }
  // The tab that did not fetch shows the other tab's fetch, over the
  // BroadcastChannel, once it arrives.
  const waiter = ra.stats.fetches === 1 ? b : a;
  await waitFor(waiter, `document.querySelectorAll("#log li.remote").length > 0`, "the other tab's lines in the waiting tab's log");
}

const { launch } = await import(`./${browserName}.mjs`);
let br;
let failed = false;
function report(line) {
  process.stdout.write(JSON.stringify(line) + "\n");
  if (!line.ok) failed = true;
}
try {
  br = await launch();
} catch (e) {
  report({ check: "launch", ok: false, ms: 0, log: [], error: e.stack || String(e) });
  process.exit(1);
}
for (const check of checks) {
  const lines = [];
  const t0 = Date.now();
  try {
    await check(br, (s) => lines.push(s));
    report({ check: check.name, ok: true, ms: Date.now() - t0, log: lines });
  } catch (e) {
    let page = "";
    try {
      page = JSON.stringify(await br.tab.eval(`({href: location.href, runStats: (document.getElementById("run-stats") || {}).outerHTML || null,
        visibility: document.visibilityState, focus: document.hasFocus(),
        serviceWorker: navigator.serviceWorker && navigator.serviceWorker.controller ? navigator.serviceWorker.controller.state : "none",
        text: (document.body ? document.body.innerText : "").slice(0, 1500)})`));
      page += `; server ${JSON.stringify(await counts())}`;
    } catch (e2) {
      page = `(page unreadable: ${e2.message})`;
    }
    lines.push(`page: ${page}`);
    if (br.tab && br.tab.console.length) lines.push(`console: ${br.tab.console.slice(-30).join("\n")}`);
    report({ check: check.name, ok: false, ms: Date.now() - t0, log: lines, error: e instanceof CheckError ? e.message : e.stack || String(e) });
  }
}
await br.close();
process.exit(failed ? 1 : 0);
