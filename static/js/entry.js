// Heads-down entry of a paper sheet (templates/entry/page.html): Enter moves to the next
// field (Shift+Enter is a new line in an open answer), a field moves on by itself once
// what it holds cannot grow into another code or number, questions the keyed answers
// route past are greyed out and skipped, and keys are counted for the entry's paradata.
// Without this script the page is a plain form the server reads the same way.
(function () {
  "use strict";
  var form = document.querySelector("form[data-entry]");
  if (!form) return;
  var routes = JSON.parse(form.getAttribute("data-routes"));
  var counter = form.querySelector("[data-keystrokes]");
  var keys = 0;
  var MISSING = { "": true, "?": true, "*": true };
  var SPECIAL = "/";

  function fields() {
    return Array.prototype.filter.call(form.querySelectorAll(".entry-input"), function (f) {
      return !f.disabled;
    });
  }

  function groupOf(field) {
    return field.closest("[data-question]");
  }

  // The next field, or with `whole` the first field of the next question: a missing key
  // or a special answer in a question's first field stands for the whole answer.
  function next(field, whole) {
    var all = fields();
    var at = all.indexOf(field) + 1;
    while (whole && at < all.length && groupOf(all[at]) === groupOf(field)) at += 1;
    if (at > 0 && at < all.length) {
      all[at].focus();
      if (all[at].select) all[at].select();
    } else {
      form.querySelector("button[type=submit]").focus();
    }
  }

  // Whether what the field holds stands for the whole answer: typed alone in the first
  // field of a question of several fields (keying.read).
  function standsForAll(field) {
    var q = questionOf(field);
    if (Object.keys(q.parts).length === 1 || field !== firstField(q)) return false;
    var value = field.value.trim();
    return value in MISSING || value.charAt(0) === SPECIAL;
  }

  // A printed code no other printed code begins with (keying.complete).
  function completeCode(codes, typed) {
    if (codes.indexOf(typed) < 0) return false;
    return !codes.some(function (c) { return c !== typed && c.indexOf(typed) === 0; });
  }

  function question(code) {
    return routes.questions.filter(function (q) { return q.code === code; })[0];
  }

  function questionOf(field) {
    return question(field.closest("[data-question]").getAttribute("data-question"));
  }

  function isComplete(field) {
    var value = field.value.trim();
    var q = questionOf(field);
    var single = Object.keys(q.parts).length === 1;
    if (value === "?" || value === "*") return single || field === firstField(q);
    if (value === "") return false;
    if (value.charAt(0) === SPECIAL) {
      return completeCode(Object.keys(q.specials), value.slice(1));
    }
    if (q.type === "single_choice" || q.type === "rating" || q.type === "scale_0_10") {
      return completeCode(Object.keys(q.boxes), value);
    }
    var most = field.getAttribute("data-most");
    if (most && /^\d+$/.test(value)) return Number(value) * 10 > Number(most);
    return false;
  }

  // The field the sheet prints first: the page lists a question's fields in its order.
  function firstField(q) {
    return document.getElementById(q.code + "-group").querySelector(".entry-input");
  }

  // ---- what the typed keys stand for, for routing only (the server decides what is valid)

  var UNREAD = {};

  function typedValue(q) {
    var texts = {};
    var any = false;
    Object.keys(q.parts).forEach(function (part) {
      var field = form.querySelector("[name='" + q.parts[part] + "']");
      texts[part] = field && !field.disabled ? field.value.trim() : "";
      if (texts[part]) any = true;
    });
    if (!any) return UNREAD;
    var alone = texts[Object.keys(q.parts)[0]];
    if (MISSING[alone]) return UNREAD;
    if (alone.charAt(0) === SPECIAL) return q.specials[alone.slice(1)] || UNREAD;
    if (q.type === "multiple_choice") {
      var codes = alone.split(/[\s,，]+/).filter(Boolean);
      var values = codes.map(function (c) { return q.boxes[c]; });
      return values.indexOf(undefined) >= 0 ? UNREAD : values;
    }
    if (q.type in { single_choice: 1, rating: 1, scale_0_10: 1 }) {
      return alone in q.boxes ? q.boxes[alone] : UNREAD;
    }
    if (q.type === "number") return /^-?\d+(\.\d+)?$/.test(alone) ? Number(alone) : UNREAD;
    if (q.type === "duration") {
      var h = texts.hours || "0", m = texts.minutes || "0";
      return /^\d+$/.test(h) && /^\d+$/.test(m) ? Number(h) * 60 + Number(m) : UNREAD;
    }
    if (q.type === "date") {
      if (!/^\d{4}$/.test(texts.year) || !texts.month || !texts.day) return UNREAD;
      var pad = function (s) { return ("0" + s).slice(-2); };
      return texts.year + "-" + pad(texts.month) + "-" + pad(texts.day);
    }
    return alone;
  }

  // The conditions of `show_if` (questionnaire/conditions.py), three-valued like
  // `outcome`: null while a question it reads is unread.
  function outcome(c, answers, open) {
    if (c.all || c.any) {
      var found = (c.all || c.any).map(function (p) { return outcome(p, answers, open); });
      var decisive = !!c.any;
      if (found.indexOf(decisive) >= 0) return decisive;
      return found.indexOf(null) >= 0 ? null : !decisive;
    }
    if (c.not) {
      var inner = outcome(c.not, answers, open);
      return inner === null ? null : !inner;
    }
    if (open[c.question]) return null;
    var answer = answers[c.question];
    if ("answered" in c) return (answer !== undefined) === c.answered;
    if ("at_least" in c || "at_most" in c) {
      if (typeof answer !== "number") return false;
      return "at_least" in c ? answer >= c.at_least : answer <= c.at_most;
    }
    if (answer === undefined) return false;
    var values = "equals" in c ? [c.equals] : c["in"] || c.not_in;
    if (Array.isArray(answer)) {
      var hit = answer.some(function (a) { return values.indexOf(a) >= 0; });
      return "not_in" in c ? answer.length > 0 && !hit : hit;
    }
    var inside = values.indexOf(answer) >= 0;
    return "not_in" in c ? !inside : inside;
  }

  function route() {
    var answers = Object.assign({}, routes.known);
    var open = {};
    routes.unread.forEach(function (code) { open[code] = true; });
    routes.questions.forEach(function (q) {
      var shown = !q.show_if || outcome(q.show_if, answers, open) !== false;
      var group = document.getElementById(q.code + "-group");
      group.classList.toggle("entry-skipped", !shown);
      group.querySelector("[data-skipped-note]").hidden = shown;
      group.querySelectorAll(".entry-input").forEach(function (f) { f.disabled = !shown; });
      if (!shown) return;
      var value = typedValue(q);
      if (value === UNREAD) open[q.code] = true;
      else answers[q.code] = value;
    });
  }

  form.addEventListener("keydown", function (event) {
    if (["Shift", "Control", "Alt", "Meta", "CapsLock"].indexOf(event.key) < 0) keys += 1;
    var field = event.target;
    if (event.key !== "Enter" || !field.classList.contains("entry-input")) return;
    if (field.tagName === "TEXTAREA" && event.shiftKey) return;
    event.preventDefault();
    route();
    var all = fields();
    var whole = standsForAll(field);
    var last = groupOf(all[all.length - 1]) === groupOf(field) && (whole || field === all[all.length - 1]);
    if (last) {
      form.requestSubmit();
    } else {
      next(field, whole);
    }
  });

  form.addEventListener("input", function (event) {
    var field = event.target;
    if (!field.classList.contains("entry-input")) return;
    route();
    if (isComplete(field)) next(field, standsForAll(field));
  });

  form.addEventListener("submit", function () {
    route();
    counter.value = String(keys);
  });

  route();
})();
