// Dockside: small progressive enhancements. Every page works without this file.
"use strict";

(function () {
  // Live filter for list tables: <input data-filter-table="table-id">, rows carry data-search.
  function setupFilter(input) {
    const table = document.getElementById(input.dataset.filterTable);
    if (!table) return;
    const rows = Array.from(table.tBodies[0].rows);
    const haystacks = rows.map((row) => (row.dataset.search || "").toLowerCase());
    const counter = document.querySelector(`[data-filter-count="${table.id}"]`);
    const empty = document.querySelector(`[data-filter-empty="${table.id}"]`);
    let timer = null;

    function apply() {
      const needle = input.value.trim().toLowerCase();
      let shown = 0;
      rows.forEach((row, i) => {
        const match = !needle || haystacks[i].includes(needle);
        row.hidden = !match;
        if (match) shown += 1;
      });
      if (counter) counter.textContent = `${shown} of ${rows.length}`;
      if (empty) empty.hidden = shown !== 0;
      table.hidden = shown === 0;
      const url = new URL(window.location.href);
      if (needle) url.searchParams.set("q", input.value.trim());
      else url.searchParams.delete("q");
      window.history.replaceState(null, "", url);
      table.querySelectorAll("thead a[href]").forEach((link) => {
        const target = new URL(link.href, window.location.href);
        if (needle) target.searchParams.set("q", input.value.trim());
        else target.searchParams.delete("q");
        link.href = target.pathname + target.search;
      });
    }

    // The server renders every row and hides those that miss ?q=, so widening works too.
    input.addEventListener("input", () => {
      clearTimeout(timer);
      timer = setTimeout(apply, rows.length > 2000 ? 120 : 30);
    });
    input.form.addEventListener("submit", (event) => {
      event.preventDefault();
      clearTimeout(timer);
      apply();
    });
  }

  // Copy buttons: <button data-copy="element-id">.
  function setupCopy(button) {
    button.addEventListener("click", async () => {
      const source = document.getElementById(button.dataset.copy);
      if (!source) return;
      const text = source.textContent.trim();
      const label = button.textContent;
      try {
        await navigator.clipboard.writeText(text);
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
    });
  }

  function init(root) {
    root.querySelectorAll("input[data-filter-table]").forEach(setupFilter);
    root.querySelectorAll("button[data-copy]").forEach(setupCopy);
  }

  document.addEventListener("DOMContentLoaded", () => init(document));
})();
