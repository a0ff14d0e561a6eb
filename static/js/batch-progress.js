// The progress page of a batch's files, kept up to date in place. Progressive enhancement
// only: without this file the page offers a "Check again" link.
(function () {
  "use strict";

  var POLL_MS = 2000;
  var build = document.getElementById("build");
  if (!build || build.dataset.state === "ready" || build.dataset.state === "failed" ||
      !window.fetch || !window.DOMParser) {
    return;
  }
  var message = document.getElementById("build-message");

  function get(url, type) {
    return fetch(url, { credentials: "same-origin", headers: { Accept: type } })
      .then(function (response) {
        if (!response.ok) throw new Error("HTTP " + response.status);
        return type === "application/json" ? response.json() : response.text();
      });
  }

  // The live region is written only when its sentence changes, so it is announced once
  // per stage; the bar and the count change silently.
  function show(state) {
    var bar = document.getElementById("build-progress");
    var count = document.getElementById("build-count");
    if (bar) {
      bar.value = state.percent;
      bar.textContent = state.percent + "%";
    }
    if (count && state.count) count.textContent = state.count;
    if (message.textContent !== state.message) message.textContent = state.message;
  }

  // Ready or failed: the links, or the button to try again, come from the page itself,
  // so they are written once, in the template.
  function finish() {
    return get(window.location.href, "text/html").then(function (html) {
      var fresh = new DOMParser().parseFromString(html, "text/html");
      var detail = document.getElementById("build-detail");
      var replacement = fresh.getElementById("build-detail");
      var freshMessage = fresh.getElementById("build-message");
      var hadFocus = detail.contains(document.activeElement);
      detail.replaceWith(replacement);
      build.dataset.state = fresh.getElementById("build").dataset.state;
      message.className = freshMessage.className;
      message.textContent = freshMessage.textContent;
      document.title = fresh.title;
      var first = replacement.querySelector("a, button");
      if (hadFocus && first) first.focus();  // the focused "Check again" link is gone
    });
  }

  function poll() {
    get(build.dataset.poll, "application/json")
      .then(function (state) {
        if (state.state === "ready" || state.state === "failed") return finish();
        show(state);
        window.setTimeout(poll, POLL_MS);
      })
      .catch(function () {
        window.setTimeout(poll, POLL_MS * 5);  // the server may be restarting: slower, not never
      });
  }

  window.setTimeout(poll, POLL_MS);
})();
