/*
 * The check-in desk's storage in the browser (IndexedDB): the snapshot of each day's
 * tickets, and the scans made offline, queued until the network is back.
 * One queued scan per ticket and day (a unique index), so a ticket scanned twice while
 * offline is sent once. Logging out clears it all (Clear-Site-Data on the logout answer).
 */
(function () {
  "use strict";

  var NAME = "usht-checkin";
  var VERSION = 1;
  var opening = null;

  function open() {
    if (!opening) {
      opening = new Promise(function (resolve, reject) {
        var request = indexedDB.open(NAME, VERSION);
        request.onupgradeneeded = function () {
          var db = request.result;
          db.createObjectStore("snapshots", { keyPath: "id" });
          var queue = db.createObjectStore("queue", { keyPath: "id" });
          queue.createIndex("ticket", ["event", "session", "key"], { unique: true });
          queue.createIndex("event", "event");
        };
        request.onsuccess = function () { resolve(request.result); };
        request.onerror = function () { reject(request.error); };
      });
    }
    return opening;
  }

  // Run `work(store)` in one transaction; resolve with what its last request gave.
  function run(storeName, mode, work) {
    return open().then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(storeName, mode);
        var request = work(transaction.objectStore(storeName));
        transaction.oncomplete = function () { resolve(request ? request.result : undefined); };
        transaction.onerror = function (event) {
          event.preventDefault();
          reject(transaction.error);
        };
        transaction.onabort = function () { reject(transaction.error); };
      });
    });
  }

  function snapshotId(event, session) { return event + ":" + session; }

  window.CheckinStore = {
    saveSnapshot: function (event, session, data) {
      return run("snapshots", "readwrite", function (store) {
        return store.put({ id: snapshotId(event, session), event: event, session: session, data: data });
      });
    },
    loadSnapshot: function (event, session) {
      return run("snapshots", "readonly", function (store) {
        return store.get(snapshotId(event, session));
      }).then(function (row) { return row ? row.data : null; });
    },
    dropSnapshot: function (event, session) {
      return run("snapshots", "readwrite", function (store) {
        return store.delete(snapshotId(event, session));
      });
    },
    // Resolves true when queued, false when this ticket and day is queued already.
    enqueue: function (scan) {
      return run("queue", "readwrite", function (store) { return store.add(scan); })
        .then(function () { return true; })
        .catch(function (error) {
          if (error && error.name === "ConstraintError") { return false; }
          throw error;
        });
    },
    queued: function (event) {
      return run("queue", "readonly", function (store) {
        return store.index("event").getAll(event);
      }).then(function (scans) {
        return scans.sort(function (a, b) { return a.scanned_at < b.scanned_at ? -1 : 1; });
      });
    },
    remove: function (ids) {
      return run("queue", "readwrite", function (store) {
        var last = null;
        ids.forEach(function (id) { last = store.delete(id); });
        return last;
      });
    }
  };
})();
