// Stampede's service worker: go-app's, except that it answers only the
// app's own files from its cache. Every other request, above all the
// playground's data fetches, goes to the network untouched, so the log
// never reports a fetch that the network did not see.
const cacheName = "app-" + "{{.Version}}";
// go-app lists a site under /stampede/ as "/stampede", which a static host
// answers with a redirect; the page is at the worker's folder, "/stampede/".
const scope = new URL("./", self.location.href).pathname;
const resourcesToCache = {{.ResourcesToCache}}.map((r) =>
  r + "/" === scope ? scope : r
);

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(cacheName)
      // cache: "reload" skips the HTTP cache, which a static host may
      // fill for minutes (GitHub Pages: max-age=600): a new version must
      // not cache the old version's files.
      .then((cache) =>
        cache.addAll(resourcesToCache.map((r) => new Request(r, { cache: "reload" })))
      )
      .then(() => self.skipWaiting())
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches.keys().then((keys) =>
      Promise.all(keys.filter((k) => k !== cacheName).map((k) => caches.delete(k)))
    )
  );
});

const appFiles = new Set(
  resourcesToCache.map((r) => new URL(r, self.location.href).href)
);

// The page itself is opened with parameters (?preset=seed&run=1): a
// navigation to the app's folder is answered with the cached page whatever
// its query, so a demo link still opens without a network.
const page = new URL(scope, self.location.href).href;

self.addEventListener("fetch", (event) => {
  const req = event.request;
  if (req.method !== "GET") {
    return;
  }
  let key = req.url;
  if (req.mode === "navigate") {
    const u = new URL(req.url);
    if (u.origin + u.pathname === page) {
      key = page;
    }
  }
  if (!appFiles.has(key)) {
    return; // not ours: the browser fetches it as if there were no worker
  }
  event.respondWith(
    caches.match(key).then((response) => response || fetch(req))
  );
});
