/*
 * The check-in desk's service worker: keeps the desk page and its files, so a reload, or
 * opening the page again, works without a network. Registered by checkin-desk.js with each
 * event's desk page as its scope; served from /admin/events/ so it may control them.
 * - The desk page: from the network when there is one (and kept), else the kept copy.
 * - Our static files: the kept copy at once, refreshed from the network behind it.
 * Nothing else is touched: the JSON answers and every other page go to the network as usual.
 * Logging out clears it all (Clear-Site-Data on the logout answer).
 */
"use strict";

var CACHE = "usht-checkin-v2";
// The site's root, from this worker's own address (<root>admin/events/checkin-sw.js).
var ROOT = new URL("../../", self.location).pathname;
var FONTS = ["latin", "latin-ext"].flatMap(function (subset) {
  return [400, 500, 600, 700].map(function (weight) {
    return "static/vendor/inter/inter-" + subset + "-" + weight + "-normal.woff2";
  });
});
var FILES = [
  "static/favicon.svg",
  "static/css/app.css",
  "static/css/print.css",
  "static/css/checkin.css",
  "static/vendor/inter/inter.css",
  "static/vendor/designsystemet/theme.css",
  "static/vendor/designsystemet/designsystemet.css",
  "static/vendor/barcode-detector/polyfill.js",
  "static/vendor/barcode-detector/zxing_reader.wasm",
  "static/js/checkin-store.js",
  "static/js/checkin-camera.js",
  "static/js/checkin-desk.js"
].concat(FONTS).map(function (path) { return ROOT + path; });

self.addEventListener("install", function (event) {
  event.waitUntil(
    caches.open(CACHE).then(function (cache) {
      return cache.addAll(FILES.concat([self.registration.scope]));
    }).then(function () { return self.skipWaiting(); })
  );
});

self.addEventListener("activate", function (event) {
  event.waitUntil(
    caches.keys().then(function (names) {
      return Promise.all(names.filter(function (name) {
        return name.indexOf("usht-checkin-") === 0 && name !== CACHE;
      }).map(function (name) { return caches.delete(name); }));
    }).then(function () { return self.clients.claim(); })
  );
});

function deskPage(request) {
  return fetch(request).then(function (response) {
    if (response.ok && !response.redirected) {
      var copy = response.clone();
      caches.open(CACHE).then(function (cache) { return cache.put(request, copy); });
    }
    return response;
  }).catch(function () {
    return caches.match(request).then(function (kept) {
      return kept || caches.match(request, { ignoreSearch: true }).then(function (any) {
        return any || caches.match(self.registration.scope);
      });
    }).then(function (kept) { return kept || Response.error(); });
  });
}

function staticFile(request) {
  return caches.open(CACHE).then(function (cache) {
    return cache.match(request).then(function (kept) {
      var fresh = fetch(request).then(function (response) {
        if (response.ok) { cache.put(request, response.clone()); }
        return response;
      });
      if (kept) {
        fresh.catch(function () { return null; });
        return kept;
      }
      return fresh;
    });
  });
}

self.addEventListener("fetch", function (event) {
  var request = event.request;
  if (request.method !== "GET") { return; }
  var url = new URL(request.url);
  if (url.origin !== self.location.origin) { return; }
  if (request.mode === "navigate") {
    if (url.href.split("?")[0] === self.registration.scope) { event.respondWith(deskPage(request)); }
    return;
  }
  if (url.pathname.indexOf(ROOT + "static/") === 0) { event.respondWith(staticFile(request)); }
});
