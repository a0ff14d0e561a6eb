// The shadow-test logger's service worker, served at /staff/shadow/sw.js so that it may
// control the logger pages. It keeps the last copy of each logger page and of the files
// those pages load, and serves the copy only when the network fails: the tester whose
// phone died offline opens the logger again and finds it, with the queue the page keeps
// in IndexedDB. Network first, always: a copy never hides a newer page. Only GETs of this
// site pass through it, and only logger pages and static files are kept; posts (events,
// forms) go straight to the network and are never stored.
"use strict";

var CACHE = "fieldwork-shadow-log-v1"; // the page's script stores into it too
var LOGGER = /\/staff\/shadow\/tests\/\d+\/log$/;

self.addEventListener("install", function () {
  self.skipWaiting();
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches
      .keys()
      .then(function (names) {
        return Promise.all(
          names
            .filter(function (name) {
              return name.indexOf("fieldwork-shadow-log-") === 0 && name !== CACHE;
            })
            .map(function (name) {
              return caches.delete(name);
            })
        );
      })
      .then(function () {
        return self.clients.claim();
      })
  );
});

// Where a response is kept: a logger page under its path alone (the page's notices in
// the query are not worth a copy each), a static file under its full address.
function keyOf(url) {
  if (LOGGER.test(url.pathname)) return url.origin + url.pathname;
  if (url.pathname.indexOf("/static/") >= 0) return url.href;
  return null;
}

var EVENTS = /\/staff\/shadow\/tests\/\d+\/events$/;

self.addEventListener("fetch", function (event) {
  var request = event.request;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
  if (request.method === "POST" && EVENTS.test(url.pathname)) {
    // The queue's posts go to the network from here, never stored: a page this worker
    // served and the worker then meet the same network. (Chromium let the posts of such
    // a page past its offline emulation, which the tests cut the network with.)
    event.respondWith(fetch(request));
    return;
  }
  if (request.method !== "GET") return;
  var key = keyOf(url);
  if (!key) return;
  event.respondWith(
    fetch(request).then(
      function (response) {
        // Only a page as the server sent it: not a redirect to sign in, nor an error page.
        if (response.status === 200 && response.type === "basic" && !response.redirected && !url.search) {
          var copy = response.clone();
          event.waitUntil(
            caches.open(CACHE).then(function (cache) {
              return cache.put(key, copy);
            })
          );
        }
        return response;
      },
      function (failure) {
        // The page varies by its cookie; the copy is for this browser, whose cookie it is.
        return caches.match(key, { ignoreVary: true }).then(function (kept) {
          if (kept) return kept;
          throw failure;
        });
      }
    )
  );
});
