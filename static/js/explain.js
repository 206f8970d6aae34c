// Dockside: explanations (<details class="explain" data-explain="KEY" open>) stay closed on
// later pages once closed; opening one again forgets that. Without this script they are
// plain details, open on every page.
"use strict";

(function () {
  const PREFIX = "dockside.explain.closed.";

  function isClosed(key) {
    try {
      return window.localStorage.getItem(PREFIX + key) === "1";
    } catch (error) {
      return false; // storage refused (private mode, policy): every page shows them open
    }
  }

  function remember(key, closed) {
    try {
      if (closed) window.localStorage.setItem(PREFIX + key, "1");
      else window.localStorage.removeItem(PREFIX + key);
    } catch (error) {
      // nothing to remember it in
    }
  }

  function closeRemembered(root) {
    root.querySelectorAll("details.explain[data-explain][open]").forEach((details) => {
      if (isClosed(details.dataset.explain)) details.open = false;
    });
  }

  // toggle does not bubble: listen in the capture phase. The state is read when the event
  // is handled, so a swapped-in explanation closed at once is remembered as closed.
  document.addEventListener("toggle", (event) => {
    const details = event.target;
    if (!(details instanceof HTMLDetailsElement) || !details.matches("details.explain[data-explain]")) return;
    remember(details.dataset.explain, !details.open);
  }, true);

  closeRemembered(document);
  // Live pages and boosted forms swap parts of the page in, explanations rendered open.
  document.addEventListener("htmx:load", () => closeRemembered(document));
  document.addEventListener("htmx:oobAfterSwap", () => closeRemembered(document));
})();
