// Firefox ESR (Debian's firefox-esr) driven over WebDriver BiDi by
// puppeteer-core, which speaks BiDi to Firefox itself: no geckodriver.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import puppeteer from "puppeteer-core";

export const name = "firefox";

// Preferences for a machine whose network reaches nothing but loopback:
// no update, telemetry, safe-browsing or captive-portal checks knocking
// at hosts the network refuses (puppeteer sets most automation defaults).
const prefs = {
  "app.update.auto": false,
  "app.update.enabled": false,
  "app.normandy.enabled": false,
  "browser.safebrowsing.malware.enabled": false,
  "browser.safebrowsing.phishing.enabled": false,
  "browser.safebrowsing.downloads.enabled": false,
  "browser.safebrowsing.provider.mozilla.updateURL": "",
  "datareporting.healthreport.uploadEnabled": false,
  "datareporting.policy.dataSubmissionEnabled": false,
  "toolkit.telemetry.enabled": false,
  "network.captive-portal-service.enabled": false,
  "network.connectivity-service.enabled": false,
  "extensions.update.enabled": false,
  "extensions.getAddons.cache.enabled": false,
  "browser.region.network.url": "",
  "browser.search.geoip.url": "",
  // Tabs the suite opens behind another keep their timers running.
  "dom.min_background_timeout_value": 4,
  "dom.timeout.enable_budget_timer_throttling": false,
};

export async function launch({ executablePath = process.env.FIREFOX || "/usr/bin/firefox-esr" } = {}) {
  const profile = await mkdtemp(join(tmpdir(), "stampede-firefox-"));
  const browser = await puppeteer.launch({
    browser: "firefox",
    executablePath,
    headless: true,
    userDataDir: profile,
    extraPrefsFirefox: prefs,
    defaultViewport: { width: 1280, height: 800 },
    protocolTimeout: 180_000,
  });
  const version = await browser.version();
  const tabs = [];

  async function newTab() {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 800 });
    const console = [];
    page.on("console", (m) => console.push(`${m.type()}: ${m.text()}`));
    page.on("pageerror", (e) => console.push(`pageerror: ${e.message}`));
    const tab = {
      console,
      async goto(url) {
        await page.goto(url, { waitUntil: "load", timeout: 120_000 });
      },
      // eval evaluates a JavaScript expression in the page and returns
      // its JSON value, awaiting a promise.
      async eval(expr) {
        return page.evaluate(`(async () => (${expr}))()`);
      },
      async setSize(width, height) {
        await page.setViewport({ width, height });
      },
      async screenshot(file) {
        await page.screenshot({ path: file });
      },
      async close() {
        await page.close();
      },
    };
    tabs.push(tab);
    return tab;
  }

  return {
    name,
    version,
    newTab,
    async close() {
      await browser.close();
      await rm(profile, { recursive: true, force: true });
    },
  };
}
