// The shadow-test logger's queue on the phone. Progressive enhancement: without this file
// every button posts its event to the server. With it, a tap is first written to the
// phone (IndexedDB) with its own id, its place in the phone's order and the phone's time,
// shown at once as "waiting to send", and a sender posts the queue until the server
// answers, however long the connection is gone. An event leaves the queue only when the
// server says it holds it; one it refuses stays in the timeline with the server's reason.
// A service worker (shadow-sw.js) keeps the page itself, so a phone that died offline
// opens it again with its queue.
(function () {
  "use strict";

  var root = document.querySelector("[data-shadow-log]");
  if (!root || !window.indexedDB || !window.fetch || !window.crypto || !crypto.randomUUID) {
    return; // the forms post as they are
  }

  var DATABASE = "fieldwork-shadow-log";
  var STORE = "tests";
  var CACHE = "fieldwork-shadow-log-v1"; // the service worker's name for its cache, too
  var BATCH = 200; // events per request: the server takes up to 500
  var LONGEST_WAIT = 30000; // retries back off to one every 30 s

  var testId = root.dataset.test;
  var words = JSON.parse(root.dataset.words);
  var labels = JSON.parse(root.dataset.labels);
  var pageTimeline = JSON.parse(root.dataset.timeline);
  var servedAt = root.dataset.servedAt;
  var firstSequence = Number(root.dataset.nextSequence) || 1;
  var spansDays = root.dataset.spansDays === "yes";
  var tapForm = root.querySelector("[data-log-tap]");
  var undoForm = root.querySelector("[data-log-undo]");
  var noteField = root.querySelector("#tap-note");
  var statusLine = root.querySelector("[data-log-status]");
  var list = root.querySelector("[data-timeline-list]");
  var tokenField = root.querySelector("input[name=csrf_token]");
  var token = tokenField ? tokenField.value : "";
  var dayFormat = new Intl.DateTimeFormat(root.dataset.lang, {
    dateStyle: "full",
    timeZone: root.dataset.zone,
  });
  var timeFormat = new Intl.DateTimeFormat(root.dataset.lang, {
    timeStyle: "medium",
    timeZone: root.dataset.zone,
  });

  var current = blank(); // the test's record as last read from or written to the phone
  var lastAction = ""; // what the tester last did, said before the queue's state
  var sending = null; // ids of the events and undos on their way, while a request is out
  var again = false; // something was queued while a request was out
  var problem = null; // why the last request failed: "offline", "refused" or "signed-out"
  var wait = 0;
  var retry = null;

  // ------------------------------------------------------------ the record on the phone

  // One record per test: the sequence counter, the queue of events not yet held by the
  // server, the undos not yet sent, and the timeline the server last sent.
  function blank() {
    return { test: testId, counter: 0, queue: [], undo: [], timeline: pageTimeline, servedAt: servedAt };
  }

  var opened = new Promise(function (resolve, reject) {
    var request = indexedDB.open(DATABASE, 1);
    request.onupgradeneeded = function () {
      request.result.createObjectStore(STORE, { keyPath: "test" });
    };
    request.onsuccess = function () {
      resolve(request.result);
    };
    request.onerror = function () {
      reject(request.error);
    };
  });

  // Read, change and write the record in one transaction, so two tabs of the same test
  // cannot overwrite each other's taps. Resolves with the record as written.
  function update(change) {
    return opened.then(function (db) {
      return new Promise(function (resolve, reject) {
        var transaction = db.transaction(STORE, "readwrite");
        var store = transaction.objectStore(STORE);
        var record;
        var read = store.get(testId);
        read.onsuccess = function () {
          record = read.result || blank();
          change(record);
          store.put(record);
        };
        transaction.oncomplete = function () {
          resolve(record);
        };
        transaction.onerror = transaction.onabort = function () {
          reject(transaction.error);
        };
      });
    });
  }

  // ------------------------------------------------------------ what the page shows

  function waiting(record) {
    return record.queue.filter(function (entry) {
      return entry.state === "waiting";
    });
  }

  // The timeline: the server's events (less those with an undo queued) and the phone's
  // queue, in the order they happened: device time, then the order logged.
  function rows(record) {
    var hidden = new Set(record.undo);
    var shown = record.timeline
      .filter(function (row) {
        return !hidden.has(row.id);
      })
      .map(function (row) {
        return { id: row.id, at: row.at, sequence: row.sequence, label: row.label, note: row.note, state: "stored" };
      });
    var held = new Set(shown.map(function (row) {
      return row.id;
    }));
    record.queue.forEach(function (entry) {
      if (hidden.has(entry.id) || held.has(entry.id)) return;
      shown.push({
        id: entry.id,
        at: entry.at,
        sequence: entry.sequence,
        label: labels[entry.code] || entry.code,
        note: entry.note,
        state: entry.state,
        message: entry.message,
      });
    });
    return shown.sort(function (a, b) {
      return Date.parse(a.at) - Date.parse(b.at) || a.sequence - b.sequence;
    });
  }

  function element(tag, className, text) {
    var made = document.createElement(tag);
    if (className) made.className = className;
    if (text) made.textContent = text;
    return made;
  }

  function item(row) {
    var li = element("li", row.state === "stored" ? "" : "log-" + row.state);
    li.dataset.eventId = row.id;
    li.dataset.state = row.state;
    var time = element("time", "", timeFormat.format(new Date(row.at)));
    time.setAttribute("datetime", row.at);
    li.append(time, " ", element("span", "log-label", row.label));
    if (row.state === "waiting") {
      li.append(" ", element("span", "log-mark", "(" + words.waiting + ")"));
    } else if (row.state === "refused") {
      li.append(" ", element("span", "log-mark", words.not_stored + " " + row.message));
    }
    if (row.note) li.append(" ", element("span", "log-note", row.note));
    if (row.state === "refused") {
      var remove = element("button", "button button-secondary log-remove", words.remove);
      remove.type = "button";
      remove.dataset.remove = row.id;
      li.append(remove);
    }
    return li;
  }

  function render() {
    var shown = rows(current);
    var days = [];
    shown.forEach(function (row) {
      var day = dayFormat.format(new Date(row.at));
      if (!days.length || days[days.length - 1].day !== day) days.push({ day: day, rows: [] });
      days[days.length - 1].rows.push(row);
    });
    var parts = [];
    days.forEach(function (group) {
      if (spansDays || days.length > 1) parts.push(element("h3", "log-day", group.day));
      var ol = element("ol", "log-timeline");
      group.rows.forEach(function (row) {
        ol.append(item(row));
      });
      parts.push(ol);
    });
    if (!parts.length) parts.push(element("p", "", words.empty));
    list.replaceChildren.apply(list, parts);
    say();
  }

  function counted(key, count) {
    return words[key + (count === 1 ? "_one" : "_many")].replace("%(count)s", count);
  }

  // The status line (a polite live region): what the tester did, then the queue's state.
  function say() {
    var count = waiting(current).length + current.undo.length;
    var refused = current.queue.length - waiting(current).length;
    var state = "";
    if (problem === "signed-out") state = words.signed_out;
    else if (count && (problem === "offline" || !navigator.onLine)) state = counted("offline", count);
    else if (count && problem === "refused") state = counted("retry", count);
    else if (count) state = counted("sending", count);
    else if (current.timeline.length && !refused) state = words.all_sent;
    if (refused) state = [state, counted("refused", refused)].filter(Boolean).join(" ");
    var said = [lastAction, state].filter(Boolean).join(" ");
    if (statusLine.textContent !== said) statusLine.textContent = said;
    root.dataset.waiting = String(count);
  }

  // ------------------------------------------------------------ the sender

  function later() {
    clearTimeout(retry);
    wait = Math.min(Math.max(wait * 2, 1000), LONGEST_WAIT);
    retry = setTimeout(send, wait);
  }

  // Post what waits (events and undos); retried with a growing wait until the server
  // answers. One request at a time: a tap while one is out is sent right after it.
  function send() {
    if (sending) {
      again = true;
      return;
    }
    clearTimeout(retry);
    var events = waiting(current).slice(0, BATCH);
    var undo = current.undo.slice(0, BATCH);
    if (!events.length && !undo.length) {
      problem = null;
      say();
      return;
    }
    if (!navigator.onLine) {
      // Nothing can leave the phone; the "online" event sends the queue.
      problem = "offline";
      say();
      return;
    }
    sending = new Set(events.map(function (entry) {
      return entry.id;
    }));
    fetch(root.dataset.eventsUrl, {
      method: "POST",
      credentials: "same-origin",
      redirect: "manual", // signed out, the server sends the sign-in page's address
      headers: { "Content-Type": "application/json", Accept: "application/json", "X-CSRFToken": token },
      body: JSON.stringify({
        events: events.map(function (entry) {
          return { id: entry.id, sequence: entry.sequence, code: entry.code, at: entry.at, note: entry.note };
        }),
        undo: undo,
      }),
    })
      .then(
        function (response) {
          if (response.type === "opaqueredirect" || response.status === 401 || response.status === 403) {
            throw "signed-out";
          }
          if (!response.ok) throw "refused";
          return response.json();
        },
        function () {
          throw "offline";
        }
      )
      .then(function (answer) {
        return update(function (record) {
          var held = new Set(answer.stored.concat(answer.already));
          var reasons = {};
          answer.refused.forEach(function (refused) {
            reasons[refused.id] = refused.message;
          });
          record.queue = record.queue.filter(function (entry) {
            return !held.has(entry.id);
          });
          record.queue.forEach(function (entry) {
            if (sending.has(entry.id) && entry.id in reasons) {
              entry.state = "refused";
              entry.message = reasons[entry.id];
            }
          });
          record.undo = record.undo.filter(function (id) {
            return undo.indexOf(id) < 0;
          });
          record.timeline = answer.timeline;
          record.servedAt = answer.served_at;
        });
      })
      .then(
        function (record) {
          current = record;
          problem = null;
          wait = 0;
        },
        function (why) {
          problem = typeof why === "string" ? why : "refused";
          later();
          // The server may hold what it never answered for: from now on an undo of
          // these goes to the server too, instead of only leaving the queue.
          return update(function (record) {
            record.queue.forEach(function (entry) {
              if (sending.has(entry.id)) entry.tried = true;
            });
          }).then(function (record) {
            current = record;
          });
        }
      )
      .then(function () {
        sending = null;
        render();
        if (again || (!problem && (waiting(current).length || current.undo.length))) {
          again = false;
          send();
        }
      });
  }

  // ------------------------------------------------------------ taps and undo

  function localTime(date) {
    function pad(number, width) {
      return String(number).padStart(width || 2, "0");
    }
    var offset = -date.getTimezoneOffset();
    var sign = offset < 0 ? "-" : "+";
    offset = Math.abs(offset);
    return (
      date.getFullYear() + "-" + pad(date.getMonth() + 1) + "-" + pad(date.getDate()) +
      "T" + pad(date.getHours()) + ":" + pad(date.getMinutes()) + ":" + pad(date.getSeconds()) +
      "." + pad(date.getMilliseconds(), 3) + sign + pad(Math.floor(offset / 60)) + ":" + pad(offset % 60)
    );
  }

  function highest(record) {
    return record.timeline.concat(record.queue).reduce(function (most, row) {
      return Math.max(most, row.sequence || 0);
    }, 0);
  }

  function tap(code) {
    var at = localTime(new Date()); // the moment of the tap, not of the write
    var note = noteField ? noteField.value.trim() : "";
    return update(function (record) {
      record.counter = Math.max(record.counter, firstSequence - 1, highest(record)) + 1;
      record.queue.push({
        id: crypto.randomUUID(),
        sequence: record.counter,
        code: code,
        at: at,
        note: note || null,
        state: "waiting",
      });
    }).then(function (record) {
      current = record;
      if (noteField) noteField.value = "";
      lastAction = words.logged.replace("%(event)s", labels[code] || code);
      render();
      send();
    });
  }

  // "Undo last": an event that never left the phone leaves the queue, and its sequence
  // number is free again; one the server holds, or may hold (on its way, or sent without
  // an answer), gets an undo queued, sent like an event.
  function undoLast() {
    var undone = null;
    return update(function (record) {
      var live = rows(record).filter(function (row) {
        return row.state !== "refused";
      });
      undone = live[live.length - 1] || null;
      if (!undone) return;
      var queued = record.queue.find(function (entry) {
        return entry.id === undone.id;
      });
      if (queued && !queued.tried && !(sending && sending.has(undone.id))) {
        record.queue = record.queue.filter(function (entry) {
          return entry !== queued;
        });
        if (queued.sequence === record.counter) record.counter -= 1;
      } else {
        record.undo.push(undone.id);
      }
    }).then(function (record) {
      current = record;
      lastAction = undone ? words.undone.replace("%(event)s", undone.label) : words.nothing_to_undo;
      render();
      send();
    });
  }

  if (tapForm) {
    tapForm.addEventListener("submit", function (event) {
      var button = event.submitter;
      if (!button || !button.value) return;
      event.preventDefault();
      tap(button.value).catch(function () {
        // The phone cannot keep the event: let the server log it now instead.
        var chosen = element("input");
        chosen.type = "hidden";
        chosen.name = "code";
        chosen.value = button.value;
        tapForm.append(chosen);
        tapForm.submit();
      });
    });
  }
  // A refused event stays on the phone, with the server's reason, until the tester has
  // read it and removes it: nothing the server never took leaves without them knowing.
  list.addEventListener("click", function (event) {
    var button = event.target.closest("[data-remove]");
    if (!button) return;
    var removed = button.dataset.remove;
    update(function (record) {
      record.queue = record.queue.filter(function (entry) {
        return !(entry.id === removed && entry.state === "refused");
      });
    }).then(function (record) {
      current = record;
      lastAction = words.removed;
      render();
      statusLine.focus();
    });
  });
  if (undoForm) {
    undoForm.addEventListener("submit", function (event) {
      event.preventDefault();
      undoLast().catch(function () {
        undoForm.submit();
      });
    });
  }

  // ------------------------------------------------------------ start

  // The page is the newest word on the timeline unless the phone holds a later one (the
  // page came from the service worker's copy).
  update(function (record) {
    if (!record.servedAt || Date.parse(record.servedAt) < Date.parse(servedAt)) {
      record.timeline = pageTimeline;
      record.servedAt = servedAt;
    }
  }).then(
    function (record) {
      current = record;
      render();
      send();
    },
    function () {
      root.dataset.noQueue = "yes"; // no IndexedDB here: the forms post as they are
    }
  );

  window.addEventListener("online", function () {
    problem = null;
    wait = 0;
    send();
  });
  window.addEventListener("offline", say);

  // Keep the page and its files on the phone for when it opens the page offline.
  if ("serviceWorker" in navigator && window.caches) {
    navigator.serviceWorker
      .register(root.dataset.workerUrl)
      .then(function () {
        return navigator.serviceWorker.ready;
      })
      .then(function () {
        // The page stores itself and its files at each visit: the worker may have taken
        // control only after they loaded, and then never saw them.
        var files = [location.pathname];
        document.querySelectorAll("link[rel=stylesheet][href], script[src]").forEach(function (tag) {
          files.push(tag.href || tag.src);
        });
        return caches.open(CACHE).then(function (cache) {
          return cache.addAll(files);
        });
      })
      .then(function () {
        root.dataset.offlineReady = "yes";
      })
      .catch(function () {
        root.dataset.offlineReady = "no";
      });
  }
})();
