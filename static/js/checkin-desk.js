/*
 * The check-in desk's scanner: camera, answers, and a desk that keeps working offline.
 *
 * - "Start kamera" opens the camera and reads QR codes (checkin-camera.js).
 * - Online, each code is posted to the desk's JSON endpoint; the same code seen again
 *   within a few seconds is not posted again.
 * - The page keeps a snapshot of the day's tickets (digests of their codes, names,
 *   municipality, status) in IndexedDB, refreshed while online. Offline, a scan is answered
 *   from it and queued; when the network is back the queue is sent in order, and what the
 *   server refused is listed.
 * - A service worker keeps the page and its files, so it opens again offline.
 * Without JavaScript none of this runs: the code field and the name search still work.
 */
(function () {
  "use strict";

  var root = document.getElementById("scanner");
  if (!root || !window.fetch || !window.CheckinStore || !window.CheckinCamera) { return; }

  var store = window.CheckinStore;
  var config = root.dataset;
  var messages = JSON.parse(config.messages);
  var eventId = Number(config.event);
  var sessionId = Number(config.session);
  var csrfMeta = document.querySelector('meta[name="csrf-token"]');
  var csrf = csrfMeta ? csrfMeta.content : "";
  var REPEAT_MS = 4000;
  var TOKEN = /^[A-Za-z0-9_-]{22,43}$/;
  var READ_OUT = /^[ABCDEFGHJKLMNPQRSTUVWXYZ23456789]{10}$/;

  var ui = {
    network: document.getElementById("network-status"),
    start: document.getElementById("camera-start"),
    stop: document.getElementById("camera-stop"),
    torch: document.getElementById("camera-torch"),
    flip: document.getElementById("camera-switch"),
    view: root.querySelector(".checkin-scanner__view"),
    video: document.getElementById("camera"),
    error: document.getElementById("scanner-error"),
    answer: document.getElementById("scan-answer"),
    report: document.getElementById("sync-report"),
    codeForm: document.getElementById("code-form"),
    snapshot: document.getElementById("snapshot-status"),
    counts: document.querySelectorAll("[data-count]")
  };

  var snapshot = null;
  var byKey = new Map();
  var online = navigator.onLine;
  var syncing = false;
  // Scans wait behind the queue until it is sent, so the server gets them in order.
  var hasQueue = false;
  var last = { code: null, at: 0 };

  function fill(template, values) {
    return template.replace(/%\((\w+)\)s/g, function (_, name) {
      return values[name] === undefined ? "" : String(values[name]);
    });
  }

  function clock(iso) {
    var parts = new Intl.DateTimeFormat("en-GB", {
      hour: "2-digit", minute: "2-digit", hour12: false, timeZone: "Europe/Oslo"
    }).formatToParts(new Date(iso));
    var get = function (type) {
      return parts.filter(function (part) { return part.type === type; })[0].value;
    };
    return get("hour") + (config.lang === "en" ? ":" : ".") + get("minute");
  }

  function who(name, municipality) {
    return [name, municipality].filter(Boolean).join(", ");
  }

  // ---- Answers: large text, colour, sound and vibration ----

  var audio = null;

  function feedback(result) {
    var good = result === "checked_in";
    var warn = result === "already_checked_in";
    if (navigator.vibrate) {
      navigator.vibrate(good ? 80 : warn ? [80, 60, 80] : [220, 80, 220]);
    }
    if (!audio) { return; }
    try {
      var tone = audio.createOscillator();
      var gain = audio.createGain();
      tone.frequency.value = good ? 880 : warn ? 520 : 220;
      gain.gain.value = 0.15;
      tone.connect(gain);
      gain.connect(audio.destination);
      tone.start();
      tone.stop(audio.currentTime + (good ? 0.12 : 0.35));
    } catch (ignored) { /* sound is a nicety */ }
  }

  function show(result, text, note) {
    ui.answer.dataset.result = result;
    ui.answer.textContent = "";
    var main = document.createElement("p");
    main.className = "scan-answer__text";
    main.textContent = text;
    ui.answer.appendChild(main);
    if (note) {
      var small = document.createElement("p");
      small.className = "scan-answer__note";
      small.textContent = note;
      ui.answer.appendChild(small);
    }
    feedback(result);
  }

  function showError(text) {
    ui.error.querySelector("p").textContent = text;
    ui.error.hidden = false;
  }

  function answerText(answer) {
    if (answer.message) { return answer.message; }
    if (answer.result === "checked_in") {
      return fill(messages.checked_in, { who: who(answer.name, answer.municipality) });
    }
    if (answer.result === "already_checked_in") {
      return fill(messages.already_checked_in, { time: clock(answer.checked_in_at) });
    }
    return messages[answer.result];
  }

  // ---- Counts ----

  function setCounts(checkedIn, confirmed) {
    ui.counts.forEach(function (element) {
      var value = element.dataset.count === "checked_in" ? checkedIn : confirmed;
      if (value !== null && value !== undefined) { element.textContent = String(value); }
    });
  }

  function countFromSnapshot() {
    if (!snapshot) { return; }
    var confirmed = 0;
    var inside = 0;
    snapshot.tickets.forEach(function (ticket) {
      if (ticket.status === "confirmed") {
        confirmed += 1;
        if (ticket.checked_in_at) { inside += 1; }
      }
    });
    setCounts(inside, confirmed);
  }

  // ---- The snapshot ----

  function useSnapshot(data) {
    snapshot = data;
    byKey = new Map();
    if (!data) { return; }
    data.tickets.forEach(function (ticket) {
      ticket.keys.forEach(function (key) { byKey.set(key, ticket); });
    });
  }

  function loadSnapshot() {
    return store.loadSnapshot(eventId, sessionId).then(function (data) {
      if (data && new Date(data.expires_at) < new Date()) {
        return store.dropSnapshot(eventId, sessionId).then(function () { useSnapshot(null); });
      }
      useSnapshot(data);
      if (data) { ui.snapshot.textContent = fill(messages.snapshot, { time: clock(data.taken_at) }); }
      return null;
    }).catch(function () { useSnapshot(null); });
  }

  function refreshSnapshot() {
    return fetch(config.snapshotUrl, {
      headers: { Accept: "application/json" }, credentials: "same-origin"
    }).then(function (response) {
      if (response.redirected || response.status === 401 || response.status === 403 ||
          response.status === 404) {
        // Logged out, or no longer this event's organiser: keep nothing.
        useSnapshot(null);
        return store.dropSnapshot(eventId, sessionId);
      }
      if (!response.ok) { return null; }
      return response.json().then(function (data) {
        return applyQueuedLocally(data).then(function () {
          useSnapshot(data);
          countFromSnapshot();
          ui.snapshot.textContent = fill(messages.snapshot, { time: clock(data.taken_at) });
          return store.saveSnapshot(eventId, sessionId, data);
        });
      });
    }).catch(function () { return null; });
  }

  // What is still queued is checked in on this phone, even if the server has not heard yet.
  function applyQueuedLocally(data) {
    return store.queued(eventId).then(function (scans) {
      var tickets = new Map();
      data.tickets.forEach(function (ticket) {
        ticket.keys.forEach(function (key) { tickets.set(key, ticket); });
      });
      scans.forEach(function (scan) {
        var ticket = scan.session === sessionId && tickets.get(scan.key);
        if (ticket && ticket.status === "confirmed" && !ticket.checked_in_at) {
          ticket.checked_in_at = scan.scanned_at;
        }
      });
    });
  }

  // ---- Reading codes (as usht_events/checkin/scanning.py and desk.py do) ----

  function readCode(text) {
    var value = text.trim();
    var at = value.lastIndexOf("/t/");
    if (at !== -1) { value = value.slice(at + 3).split(/[?#/]/)[0]; }
    if (TOKEN.test(value)) { return value; }
    var short = value.replace(/[\s-]/g, "").toUpperCase();
    return READ_OUT.test(short) ? short : null;
  }

  function digest(code) {
    return crypto.subtle.digest("SHA-256", new TextEncoder().encode(code)).then(function (hash) {
      return Array.from(new Uint8Array(hash)).slice(0, 16).map(function (byte) {
        return byte.toString(16).padStart(2, "0");
      }).join("");
    });
  }

  // ---- Scanning ----

  function handle(raw, typed) {
    var now = Date.now();
    var repeated = raw === last.code && now - last.at < REPEAT_MS;
    last = { code: raw, at: now };
    // A ticket held in front of the camera is read many times a second: answer it once.
    if (!typed && repeated) { return Promise.resolve(); }
    var scannedAt = new Date(now).toISOString();
    if (!online || hasQueue) { return answerOffline(raw, scannedAt).then(sync); }
    return post(raw).then(function (answer) {
      if (!answer) { return answerOffline(raw, scannedAt); }
      if (answer.error) {
        show("unknown", answer.message);
        return null;
      }
      show(answer.result, answerText(answer));
      return noteAnswer(raw, answer);
    });
  }

  // The server's answer, or null when it could not be reached.
  function post(raw) {
    return fetch(config.postUrl, {
      method: "POST",
      credentials: "same-origin",
      headers: {
        Accept: "application/json",
        "Content-Type": "application/x-www-form-urlencoded",
        "X-CSRFToken": csrf
      },
      body: new URLSearchParams({ code: raw, session: String(sessionId) })
    }).then(function (response) {
      var type = response.headers.get("Content-Type") || "";
      if (type.indexOf("application/json") === -1) {
        return { error: "login", message: messages.login_again };
      }
      return response.json();
    }).catch(function () { return null; });
  }

  function noteAnswer(raw, answer) {
    var key = readCode(raw);
    if (!key || !snapshot) { return null; }
    return digest(key).then(function (hashed) {
      var ticket = byKey.get(hashed);
      if (ticket && answer.checked_in_at) {
        ticket.checked_in_at = answer.checked_in_at;
        countFromSnapshot();
        return store.saveSnapshot(eventId, sessionId, snapshot);
      }
      return null;
    });
  }

  function answerOffline(raw, scannedAt) {
    var code = readCode(raw);
    if (!code) {
      show("unknown", messages.unknown);
      return Promise.resolve();
    }
    return digest(code).then(function (key) {
      var ticket = byKey.get(key);
      if (ticket && ticket.status !== "confirmed") {
        show(ticket.status, messages[ticket.status]);
        return null;
      }
      if (ticket && ticket.checked_in_at) {
        show("already_checked_in", fill(messages.already_checked_in, { time: clock(ticket.checked_in_at) }));
        return null;
      }
      var scan = {
        id: scannedAt + "-" + Math.random().toString(36).slice(2, 10),
        event: eventId,
        session: sessionId,
        key: key,
        code: raw,
        scanned_at: scannedAt,
        name: ticket ? who(ticket.name, ticket.municipality) : ""
      };
      return store.enqueue(scan).then(function (added) {
        if (ticket) {
          ticket.checked_in_at = scannedAt;
          show("checked_in", fill(messages.checked_in, { who: scan.name }), messages.queued);
          countFromSnapshot();
          store.saveSnapshot(eventId, sessionId, snapshot);
        } else {
          show("unknown", messages.unknown, added ? messages.queued : null);
        }
        return showNetwork();
      });
    });
  }

  // ---- Network and the queue ----

  function showNetwork() {
    return store.queued(eventId).then(function (scans) {
      hasQueue = scans.length > 0;
      ui.network.dataset.online = online ? "yes" : "no";
      if (online) {
        ui.network.textContent = scans.length && syncing
          ? fill(messages.syncing, { count: scans.length }) : messages.online;
      } else {
        ui.network.textContent = scans.length
          ? fill(messages.offline, { count: scans.length }) : messages.offline_none;
      }
    }).catch(function () { return null; });
  }

  function sync() {
    if (syncing || !online) { return Promise.resolve(); }
    return store.queued(eventId).then(function (scans) {
      if (!scans.length) { return null; }
      syncing = true;
      showNetwork();
      return fetch(config.syncUrl, {
        method: "POST",
        credentials: "same-origin",
        headers: {
          Accept: "application/json",
          "Content-Type": "application/json",
          "X-CSRFToken": csrf
        },
        body: JSON.stringify({
          scans: scans.map(function (scan) {
            return { id: scan.id, code: scan.code, session: scan.session, scanned_at: scan.scanned_at };
          })
        })
      }).then(function (response) {
        var type = response.headers.get("Content-Type") || "";
        if (type.indexOf("application/json") === -1) {
          showError(messages.login_again);
          return null;
        }
        return response.json().then(function (body) {
          if (!body.results) { return null; }
          report(scans, body.results);
          return store.remove(scans.map(function (scan) { return scan.id; }));
        });
      }).catch(function () { return null; });
    }).finally(function () {
      syncing = false;
      showNetwork();
    }).then(refreshSnapshot);
  }

  function report(scans, results) {
    var byId = new Map(scans.map(function (scan) { return [scan.id, scan]; }));
    var list = ui.report.querySelector("ul");
    var sent = 0;
    results.forEach(function (result) {
      sent += 1;
      if (result.result === "checked_in") { return; }
      var scan = byId.get(result.id) || {};
      var item = document.createElement("li");
      item.dataset.result = result.result || result.error;
      item.textContent = fill(messages.rejected, {
        who: who(result.name, result.municipality) || scan.name || scan.code,
        message: result.message
      });
      list.appendChild(item);
      ui.report.hidden = false;
    });
    show("synced", fill(messages.synced, { count: sent }));
  }

  window.addEventListener("online", function () {
    online = true;
    showNetwork();
    sync();
  });
  window.addEventListener("offline", function () {
    online = false;
    showNetwork();
  });

  // ---- The camera (checkin-camera.js) ----

  var camera = window.CheckinCamera.attach({
    ui: ui,
    messages: messages,
    wasmUrl: config.wasmUrl,
    onCode: function (code) { return handle(code, false); },
    onError: showError,
    // The first tap may start sound: browsers allow it only from a user's gesture.
    onStart: function () {
      if (!audio && window.AudioContext) {
        try { audio = new window.AudioContext(); } catch (ignored) { audio = null; }
      }
    }
  });

  // The code field: the same path as a scan, without leaving the page.
  ui.codeForm.addEventListener("submit", function (event) {
    var field = ui.codeForm.querySelector('input[name="code"]');
    if (!field.value.trim()) { return; }
    event.preventDefault();
    var value = field.value;
    field.value = "";
    handle(value, true).then(function () { field.focus(); });
  });

  // ---- Start ----

  function registerWorker() {
    if (!("serviceWorker" in navigator)) { return; }
    navigator.serviceWorker.register(config.workerUrl, { scope: config.scope })
      .catch(function () { return null; });
  }

  root.hidden = false;
  registerWorker();
  // Load the decoder now, while the network is surely there; the camera starts faster too.
  camera.prepare().catch(function () { return null; });
  loadSnapshot().then(function () {
    showNetwork();
    if (online) { return sync(); }
    countFromSnapshot();
    return null;
  });
})();
