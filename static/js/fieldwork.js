// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // The words that ask a field's question: its fieldset's legend, else its label.
  function captionOf(field) {
    var fieldset = field.closest("fieldset");
    return (fieldset && fieldset.querySelector("legend")) ||
      document.querySelector("label[for='" + field.id + "']") || field;
  }

  // Focus the error summary so keyboard and screen-reader users land on it.
  var summary = document.querySelector("[data-error-summary]");
  if (summary && document.activeElement !== summary) {
    summary.focus();
  }
  // Then the first problem's question in the same screen: on a phone in large text the
  // header and the summary push it below the fold. Scroll just enough to show it, never
  // so far that the summary's top leaves the screen.
  if (summary) {
    var first = summary.querySelector("a[href^='#']");
    var target = first && document.getElementById(first.getAttribute("href").slice(1));
    if (target) {
      var room = document.documentElement.clientHeight;
      var top = summary.getBoundingClientRect().top;
      var needed = captionOf(target).getBoundingClientRect().bottom + 16 - room;
      var by = Math.min(Math.max(needed, 0), top);
      if (by) window.scrollBy(0, by);
    }
  }
  // Likewise the outcome of a staff action ("Decision saved"), when there is no error.
  var notice = !summary && document.querySelector("[data-notice]");
  if (notice && document.activeElement !== notice) {
    notice.focus();
  }

  // A link in the error summary focuses its field and shows the question above it,
  // not just the field scrolled to the top edge (the GOV.UK error summary pattern).
  if (summary) {
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      var field = link && document.getElementById(link.getAttribute("href").slice(1));
      if (!field || !field.matches("input, textarea, select, button")) return;
      event.preventDefault();
      captionOf(field).scrollIntoView();
      field.focus({ preventScroll: true });
    });
  }

  // "None of these" or "Don't know" clears every other box; any other box clears them.
  document.querySelectorAll("[data-exclusive-group]").forEach(function (group) {
    group.addEventListener("change", function (event) {
      var box = event.target;
      if (!box.checked || box.type !== "checkbox") return;
      var exclusive = box.hasAttribute("data-exclusive");
      group.querySelectorAll("input[type=checkbox]").forEach(function (other) {
        if (other !== box && (exclusive || other.hasAttribute("data-exclusive"))) {
          other.checked = false;
        }
      });
    });
  });

  // A second click on a submit button while the first is on its way does nothing.
  // (The server stores a response once whatever happens; this only saves a round trip.)
  var once = document.querySelectorAll("form[data-once]");
  once.forEach(function (form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent === "yes") {
        event.preventDefault();
        return;
      }
      form.dataset.sent = "yes";
    });
  });
  // The browser's Back button shows a page from the back/forward cache as it was left,
  // "sent" mark included: without this its buttons would do nothing at all.
  window.addEventListener("pageshow", function () {
    once.forEach(function (form) {
      delete form.dataset.sent;
    });
  });
})();
