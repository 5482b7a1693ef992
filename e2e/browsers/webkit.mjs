// WebKitGTK (Debian's webkit2gtk-driver: WebKitWebDriver driving
// MiniBrowser) over W3C WebDriver with selenium-webdriver. It needs a
// display: e2e/browsers_test.go runs it under xvfb-run.

import { spawn } from "node:child_process";
import { writeFile } from "node:fs/promises";
import { createServer } from "node:net";
import { Builder } from "selenium-webdriver";

export const name = "webkit";

const driverPath = process.env.WEBKIT_DRIVER || "WebKitWebDriver";
const miniBrowser = process.env.WEBKIT_BROWSER || "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser";

function freePort() {
  return new Promise((resolve, reject) => {
    const s = createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => {
      const { port } = s.address();
      s.close(() => resolve(port));
    });
  });
}

// waitListening resolves once the driver answers /status, or rejects
// when it exits first.
async function waitListening(url, proc) {
  let exited = null;
  proc.once("exit", (code) => (exited = code));
  for (;;) {
    if (exited !== null) throw new Error(`${driverPath} exited with ${exited}`);
    try {
      const r = await fetch(url + "/status");
      if (r.ok) return;
    } catch {
      // not listening yet
    }
    await new Promise((r) => setTimeout(r, 100));
  }
}

export async function launch() {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const proc = spawn(driverPath, [`--port=${port}`], { stdio: ["ignore", "inherit", "inherit"] });
  await waitListening(url, proc);
  // usingServer: selenium talks to this driver and never looks for (or
  // downloads) one of its own.
  const driver = await new Builder()
    .usingServer(url)
    .withCapabilities({
      browserName: "MiniBrowser",
      "webkitgtk:browserOptions": { binary: miniBrowser, args: ["--automation"] },
    })
    .build();
  await driver.manage().setTimeouts({ script: 180_000, pageLoad: 120_000 });
  const caps = await driver.getCapabilities();
  const version = `WebKitGTK ${caps.get("browserVersion")}`;

  // WebDriver has one current window per session: every tab's call
  // switches to its window first, one call at a time.
  let queue = Promise.resolve();
  const serial = (fn) => {
    const p = queue.then(fn, fn);
    queue = p.catch(() => {});
    return p;
  };
  let first = true;

  async function newTab() {
    let handle;
    await serial(async () => {
      if (first) {
        first = false;
        handle = await driver.getWindowHandle();
      } else {
        await driver.switchTo().newWindow("window");
        handle = await driver.getWindowHandle();
      }
      await driver.manage().window().setRect({ width: 1280, height: 800 });
    });
    const on = (fn) =>
      serial(async () => {
        await driver.switchTo().window(handle);
        return fn();
      });
    return {
      console: [],
      goto: (u) => on(() => driver.get(u)),
      eval: (expr) => on(() => driver.executeScript(`return (async () => (${expr}))()`)),
      // The window's outer size: MiniBrowser's own bar takes some of it.
      setSize: (width, height) => on(() => driver.manage().window().setRect({ width, height })),
      screenshot: (file) =>
        on(async () => {
          const png = await driver.takeScreenshot();
          await writeFile(file, Buffer.from(png, "base64"));
        }),
      close: () => on(() => driver.close()),
    };
  }

  return {
    name,
    version,
    newTab,
    async close() {
      try {
        await driver.quit();
      } finally {
        proc.kill();
      }
    },
  };
}
