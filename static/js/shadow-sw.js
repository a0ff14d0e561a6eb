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

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") return;
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) return;
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
        return caches.match(key).then(function (kept) {
          if (kept) return kept;
          throw failure;
        });
      }
    )
  );
});
