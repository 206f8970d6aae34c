// Dockside: small progressive enhancements (forms and lists work without them).
"use strict";

(function () {
  document.documentElement.classList.add("js");

  // Live filter for list tables: <input data-filter-table="table-id">, rows carry data-search.
  // The server renders every row and hides those that miss ?q=, so widening works too.
  function setupFilter(input) {
    const table = document.getElementById(input.dataset.filterTable);
    if (!table || input.dataset.ready) return;
    input.dataset.ready = "1";
    let timer = null;

    function apply() {
      // Rows are read afresh: live updates insert and remove them.
      const rows = Array.from(table.tBodies[0].rows);
      const needle = input.value.trim().toLowerCase();
      let shown = 0;
      rows.forEach((row) => {
        const match = !needle || (row.dataset.search || "").toLowerCase().includes(needle);
        row.hidden = !match;
        if (match) shown += 1;
      });
      const counter = document.querySelector(`[data-filter-count="${table.id}"]`);
      const empty = document.querySelector(`[data-filter-empty="${table.id}"]`);
      if (counter) counter.textContent = `${shown} of ${rows.length}`;
      if (empty) empty.hidden = shown !== 0;
      table.hidden = shown === 0;
      const url = new URL(window.location.href);
      if (needle) url.searchParams.set("q", input.value.trim());
      else url.searchParams.delete("q");
      window.history.replaceState(window.history.state, "", url);
      table.querySelectorAll("thead a[href]").forEach((link) => {
        const target = new URL(link.href, window.location.href);
        if (needle) target.searchParams.set("q", input.value.trim());
        else target.searchParams.delete("q");
        link.href = target.pathname + target.search;
      });
      updateSelection(table);
    }

    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(apply, table.tBodies[0].rows.length > 2000 ? 120 : 30);
    });
    document.addEventListener("htmx:oobAfterSwap", () => {
      if (input.value.trim()) apply();
    });
    input.form.addEventListener("submit", (event) => {
      event.preventDefault();
      clearTimeout(timer);
      apply();
    });
  }

  // Selection for bulk actions: checkboxes name="containers" tied to a form by form="...".
  function updateSelection(table) {
    const form = document.getElementById("bulk-form");
    if (!form || !table) return;
    const boxes = Array.from(table.querySelectorAll('tbody input[type="checkbox"]'));
    const chosen = boxes.filter((box) => box.checked && !box.closest("tr").hidden);
    boxes.forEach((box) => { if (box.closest("tr").hidden) box.checked = false; });
    const names = chosen.map((box) => box.value);
    const counter = form.querySelector("[data-selected-count]");
    if (counter) counter.textContent = names.length ? `${names.length} selected` : "None selected";
    form.querySelectorAll("button[data-verb], button[data-logs-link]").forEach((button) => { button.disabled = !names.length; });
    const all = table.querySelector("[data-select-all]");
    if (all) all.checked = names.length > 0 && names.length === boxes.filter((b) => !b.closest("tr").hidden).length;
    showBulkCommands(form, chosen);
  }

  // Each button's command beside it, with the selected names; Remove's question names
  // them and says which are running (killed with force, refused without).
  function showBulkCommands(form, chosen) {
    const commands = JSON.parse(form.dataset.commands || "{}");
    const names = chosen.map((box) => box.value);
    const force = form.querySelector("[data-bulk-force]");
    const forced = Boolean(force && force.checked);
    const subject = names.length ? names.join(" ") : "CONTAINER...";
    form.querySelectorAll("[data-command-for]").forEach((code) => {
      let verb = code.dataset.commandFor;
      if (verb === "remove" && forced) verb = "remove-force";
      code.textContent = `${commands[verb]} ${subject}`;
    });
    const running = chosen.filter((box) => ["running", "paused", "restarting"].includes(box.dataset.state)).map((box) => box.value);
    const listed = names.join(", ");
    const stop = form.querySelector('button[data-verb="stop"]');
    if (stop) stop.setAttribute("hx-confirm", `Stop ${listed || "the selected containers"}?`);
    const remove = form.querySelector('button[data-verb="remove"]');
    if (!remove) return;
    let question = `Remove ${listed || "the selected containers"}? This cannot be undone.`;
    if (running.length && forced) question += ` Running, so killed first (docker rm -f): ${running.join(", ")}.`;
    else if (running.length) question += ` Running, so Docker refuses them without force: ${running.join(", ")}.`;
    remove.setAttribute("hx-confirm", question);
  }

  function setupBulk(form) {
    if (form.dataset.ready) return;
    form.dataset.ready = "1";
    const table = document.getElementById("container-table");
    if (!table) return;
    table.addEventListener("change", (event) => {
      if (event.target.matches("[data-select-all]")) {
        table.querySelectorAll("tbody tr:not([hidden]) input[type=checkbox]").forEach((box) => {
          box.checked = event.target.checked;
        });
      }
      updateSelection(table);
    });
    form.addEventListener("change", () => updateSelection(table));
    updateSelection(table);
  }

  // Copy buttons: <button data-copy="element-id">.
  async function copy(button) {
    const source = document.getElementById(button.dataset.copy);
    if (!source) return;
    const label = button.textContent;
    try {
      await navigator.clipboard.writeText(source.textContent.trim());
      button.textContent = "Copied";
    } catch (error) {
      const range = document.createRange();
      range.selectNodeContents(source);
      const selection = window.getSelection();
      selection.removeAllRanges();
      selection.addRange(range);
      button.textContent = "Press Ctrl+C";
    }
    setTimeout(() => { button.textContent = label; }, 1500);
  }

  document.addEventListener("click", (event) => {
    const copyButton = event.target.closest("button[data-copy]");
    if (copyButton) {
      copy(copyButton);
      return;
    }
    const logs = event.target.closest("[data-logs-link]");
    if (logs) {
      event.preventDefault();
      event.stopImmediatePropagation();
      const url = new URL(logs.getAttribute("formaction"), window.location.href);
      document.querySelectorAll('#container-table tbody input[type="checkbox"]:checked').forEach((box) => {
        url.searchParams.append("containers", box.value);
      });
      window.location.assign(url);
      return;
    }
  }, true);

  // hx-confirm on a submit button of a boosted form: htmx asks only for the form's own, so
  // the button that submitted asks here (one question, one mechanism: hx-confirm).
  document.addEventListener("htmx:confirm", (event) => {
    const submitter = event.detail.triggeringEvent && event.detail.triggeringEvent.submitter;
    const question = submitter && submitter.getAttribute("hx-confirm");
    if (!question || event.detail.question) return;
    event.preventDefault();
    if (window.confirm(question)) event.detail.issueRequest(true);
  });

  // Anything slower than a blink says what runs, since when, and what it waits for (the
  // submit button's data-busy and data-busy-waits), at the end of the form or of the part
  // around it marked data-busy-area; htmx has disabled the form's buttons.
  const BLINK_MS = 150;
  const busyForms = new Map();

  function busyWaits(form, waits) {
    const timeout = form.querySelector('input[name="timeout"]');
    const seconds = timeout && timeout.value.trim() !== "" ? Number(timeout.value) : NaN;
    if (Number.isNaN(seconds)) return waits;
    if (seconds < 0) return waits.replace(/waits up to \d+ s for the process to exit, then kills it \(SIGKILL\)/, "waits for the process to exit, however long that takes");
    return waits.replace(/up to \d+ s/, `up to ${seconds} s`);
  }

  document.addEventListener("htmx:beforeRequest", (event) => {
    const form = event.detail.elt;
    if (!(form instanceof HTMLFormElement) || busyForms.has(form)) return;
    const trigger = event.detail.requestConfig && event.detail.requestConfig.triggeringEvent;
    const submitter = trigger && trigger.submitter;
    const source = submitter && submitter.dataset.busy ? submitter : form.querySelector("button[data-busy]");
    if (!source || (submitter && !submitter.dataset.busy)) return;
    const started = new Date();
    const status = document.createElement("p");
    status.className = "busy-status";
    status.setAttribute("role", "status");
    const doing = document.createElement("strong");
    const waits = document.createElement("span");
    waits.className = "busy-waits";
    waits.textContent = busyWaits(form, source.dataset.busyWaits || "");
    status.append(doing, " ", waits);
    const since = started.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
    const tick = () => {
      const seconds = Math.floor((Date.now() - started.getTime()) / 1000);
      doing.textContent = `${source.dataset.busy}… since ${since} (${seconds} s).`;
    };
    const area = form.closest("[data-busy-area]") || form;
    // The other actions beside it wait too: one action at a time on one thing.
    const held = Array.from(area.querySelectorAll("button:not(:disabled)")).filter((b) => !form.contains(b));
    held.forEach((button) => { button.disabled = true; });
    const shown = setTimeout(() => { tick(); area.append(status); }, BLINK_MS);
    const ticking = setInterval(tick, 500);
    busyForms.set(form, () => {
      clearTimeout(shown);
      clearInterval(ticking);
      status.remove();
      held.forEach((button) => { button.disabled = false; });
    });
  });
  document.addEventListener("htmx:afterRequest", (event) => {
    const done = busyForms.get(event.detail.elt);
    if (!done) return;
    busyForms.delete(event.detail.elt);
    done();
  });

  function showRequestFailed() {
    const banner = document.getElementById("request-failed");
    if (banner) banner.hidden = false;
  }
  document.addEventListener("htmx:responseError", showRequestFailed);
  document.addEventListener("htmx:sendError", showRequestFailed);

  // Live removals name what to remove *if it is still there*: a page swapped meanwhile (a
  // bulk action, a filter) may have removed it already, and an out-of-band delete of a
  // missing element is an error to htmx.
  document.addEventListener("htmx:oobBeforeSwap", (event) => {
    if (event.detail.target.id !== "live-removals") return;
    event.detail.fragment.querySelectorAll("[data-gone]").forEach((mark) => {
      const gone = document.getElementById(mark.dataset.gone);
      if (gone) gone.remove();
    });
    event.detail.shouldSwap = false;
  });

  // A live page whose socket dropped says so until the server says it is live again
  // (the ws extension reconnects by itself).
  document.addEventListener("htmx:wsClose", () => {
    const state = document.getElementById("live-state");
    if (!state) return;
    dropped = true;
    state.hidden = false;
    state.classList.remove("on");
    state.textContent = "Reconnecting…";
  });

  // A live page's main parts (data-live-main) follow the engine. While a form inside one is
  // waiting for its answer, news for that part waits instead: replacing the part would leave
  // that answer nowhere to go (htmx looks for its out-of-band parts, such as #messages, from
  // the form, which would be gone), and the answer shows the change anyway. Once no answer
  // is pending, the part is fetched again if news came meanwhile. After the socket dropped,
  // every part is fetched again as soon as the server says the page is live once more: what
  // changed while it was down came as no news at all.
  const staleParts = new Set();
  let dropped = false;

  function refreshStaleParts() {
    if (!staleParts.size || document.querySelector("[data-live-main] .htmx-request")) return;
    staleParts.forEach((id) => {
      const selector = `#${CSS.escape(id)}`;
      if (!document.querySelector(selector)) return;
      window.htmx.ajax("GET", window.location.href, { target: selector, select: selector, swap: "outerHTML" });
    });
    staleParts.clear();
  }

  document.addEventListener("htmx:oobBeforeSwap", (event) => {
    const target = event.detail.target;
    if (!target.hasAttribute("data-live-main") || !target.querySelector(".htmx-request")) return;
    event.detail.shouldSwap = false;
    staleParts.add(target.id);
  });
  document.addEventListener("htmx:afterSettle", refreshStaleParts);
  // An answer that swaps nothing (an error) settles nothing: look again once it is done.
  document.addEventListener("htmx:afterRequest", () => setTimeout(refreshStaleParts, 0));
  document.addEventListener("htmx:oobAfterSwap", (event) => {
    if (event.detail.target.id !== "live-state" || !dropped) return;
    dropped = false;
    document.querySelectorAll("[data-live-main]").forEach((part) => staleParts.add(part.id));
    refreshStaleParts();
  });

  // The upload form's `docker cp` names the file chosen, or reads a tar from stdin.
  function setupCopyCommand(form) {
    const command = form.querySelector("[data-cp-command]");
    const file = form.querySelector("[data-cp-file]");
    const extract = form.querySelector("[data-cp-extract]");
    const update = () => {
      const name = file.files.length ? file.files[0].name : "FILE";
      command.textContent = extract.checked ? command.dataset.tar : command.dataset.file.replace("{name}", name);
    };
    file.addEventListener("change", update);
    extract.addEventListener("change", update);
  }

  // The build form shows the fields of the chosen context only (without JavaScript, all).
  function setupBuildSources(form) {
    const show = () => {
      const chosen = form.querySelector('input[name="source"]:checked');
      form.querySelectorAll(".build-source").forEach((part) => {
        part.hidden = chosen !== null && part.dataset.source !== chosen.value;
      });
    };
    form.querySelectorAll('input[name="source"]').forEach((radio) => radio.addEventListener("change", show));
    show();
  }

  // A file input's chosen name goes to a hidden field, for the command preview (which is
  // sent without the file itself).
  function setupNameInto(input) {
    const form = input.form;
    const hidden = form && form.querySelector(`input[name="${input.dataset.nameInto}"]`);
    if (!hidden) return;
    input.addEventListener("change", () => {
      hidden.value = input.files.length ? input.files[0].name : "";
      hidden.dispatchEvent(new Event("input", { bubbles: true }));
    });
  }

  // Line numbers beside a code textarea (<textarea data-line-numbers wrap="off">): a gutter
  // that follows its lines and its scrolling, so "line 12" in an error can be found.
  function setupLineNumbers(textarea) {
    if (textarea.dataset.ready) return;
    textarea.dataset.ready = "1";
    const box = document.createElement("div");
    box.className = "numbered";
    const gutter = document.createElement("pre");
    gutter.className = "gutter";
    gutter.setAttribute("aria-hidden", "true");
    textarea.parentNode.insertBefore(box, textarea);
    box.append(gutter, textarea);
    let shown = 0;
    const number = () => {
      const lines = textarea.value.split("\n").length;
      if (lines !== shown) {
        shown = lines;
        gutter.textContent = Array.from({ length: lines }, (_, i) => i + 1).join("\n");
      }
      gutter.scrollTop = textarea.scrollTop;
    };
    textarea.addEventListener("input", number);
    textarea.addEventListener("scroll", () => { gutter.scrollTop = textarea.scrollTop; });
    number();
  }

  function init(root) {
    root.querySelectorAll("textarea[data-line-numbers]").forEach(setupLineNumbers);
    root.querySelectorAll("form.build-form").forEach(setupBuildSources);
    root.querySelectorAll("input[type=file][data-name-into]").forEach(setupNameInto);
    root.querySelectorAll("input[data-filter-table]").forEach(setupFilter);
    root.querySelectorAll("#bulk-form").forEach(setupBulk);
    root.querySelectorAll("#upload-form").forEach(setupCopyCommand);
  }

  document.addEventListener("DOMContentLoaded", () => init(document));
  document.addEventListener("htmx:load", (event) => init(event.target.ownerDocument || document));
})();
