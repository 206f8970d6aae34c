// Dockside log viewer: a websocket of line batches, a bounded window of lines in the page.
// Everything from the container is inserted as text (textContent), never as HTML.
"use strict";

(function () {
  const root = document.querySelector("[data-log-viewer]");
  if (!root) return;

  const $ = (selector) => root.querySelector(selector);
  const logEl = $("[data-log]");
  const statusEl = $("[data-status]");
  const countEl = $("[data-count]");
  const matchesEl = $("[data-matches]");
  const newLinesButton = $("[data-new-lines]");
  const trimmedEl = $("[data-trimmed]");
  const controls = $("[data-controls]");
  const downloadLink = $("[data-download]");
  const merged = root.dataset.merged === "1";

  const state = {
    socket: null,
    entries: [], // {el, text, stream, ts, source}
    trimmed: 0,
    following: true,
    unseen: 0,
    matches: 0,
    filter: null,
    filterError: "",
    positions: {}, // source -> {ts, count}: where a reconnect resumes
    ended: false,
    attempt: 0,
    generation: 0,
    queue: [],
    scheduled: false,
    sources: {},
  };

  // --- options and the equivalent docker command --------------------------
  function options() {
    const data = new FormData(controls);
    return {
      tail: data.get("tail") || "100",
      since: (data.get("since") || "").trim(),
      until: (data.get("until") || "").trim(),
      stdout: data.get("stdout") === "on",
      stderr: data.get("stderr") === "on",
      timestamps: data.get("timestamps") === "on",
      wrap: data.get("wrap") === "on",
      keep: parseInt(data.get("keep") || "10000", 10),
      filter: data.get("filter") || "",
      regex: data.get("regex") === "on",
    };
  }

  // The command itself comes from the server as the controls change (#command-preview).
  function updateDownloadLink() {
    if (!downloadLink) return;
    const o = options();
    const url = new URL(downloadLink.href, window.location.href);
    url.searchParams.set("timestamps", o.timestamps ? "1" : "0");
    url.searchParams.set("stdout", o.stdout ? "1" : "0");
    url.searchParams.set("stderr", o.stderr ? "1" : "0");
    for (const key of ["since", "until"]) {
      if (o[key]) url.searchParams.set(key, o[key]);
      else url.searchParams.delete(key);
    }
    downloadLink.href = url.pathname + url.search;
  }

  // --- ANSI colours: SGR codes become classes; every other escape is dropped ------------
  const ESCAPES = /\x1b\[[0-9;?]*[ -\/]*[@-~]|\x1b\][^\x07\x1b]*(?:\x07|\x1b\\)|\x1b[@-Z\\-_]/g;

  function applySgr(codes, style) {
    for (let i = 0; i < codes.length; i += 1) {
      const code = codes[i];
      if (code === 0) Object.keys(style).forEach((key) => delete style[key]);
      else if (code === 1) style.bold = true;
      else if (code === 3) style.italic = true;
      else if (code === 4) style.underline = true;
      else if (code === 22) delete style.bold;
      else if (code === 23) delete style.italic;
      else if (code === 24) delete style.underline;
      else if (code >= 30 && code <= 37) style.fg = code - 30;
      else if (code >= 90 && code <= 97) style.fg = code - 90 + 8;
      else if (code === 39) delete style.fg;
      else if (code >= 40 && code <= 47) style.bg = code - 40;
      else if (code >= 100 && code <= 107) style.bg = code - 100 + 8;
      else if (code === 49) delete style.bg;
      else if ((code === 38 || code === 48) && codes[i + 1] === 5) {
        style[code === 38 ? "fg" : "bg"] = codes[i + 2];
        i += 2;
      } else if ((code === 38 || code === 48) && codes[i + 1] === 2) {
        style[code === 38 ? "fgRgb" : "bgRgb"] = `rgb(${codes[i + 2]},${codes[i + 3]},${codes[i + 4]})`;
        i += 4;
      }
    }
  }

  const XTERM = (n) => {
    if (n < 16) return null;
    if (n >= 232) { const v = 8 + (n - 232) * 10; return `rgb(${v},${v},${v})`; }
    const c = n - 16; const steps = [0, 95, 135, 175, 215, 255];
    return `rgb(${steps[Math.floor(c / 36)]},${steps[Math.floor(c / 6) % 6]},${steps[c % 6]})`;
  };

  function styledSpan(text, style) {
    const span = document.createElement("span");
    span.textContent = text;
    if (style.bold) span.classList.add("ansi-bold");
    if (style.italic) span.classList.add("ansi-italic");
    if (style.underline) span.classList.add("ansi-underline");
    if (style.fg !== undefined) {
      if (style.fg < 16) span.classList.add(`ansi-fg-${style.fg}`);
      else span.style.color = XTERM(style.fg);
    }
    if (style.bg !== undefined) {
      if (style.bg < 16) span.classList.add(`ansi-bg-${style.bg}`);
      else span.style.backgroundColor = XTERM(style.bg);
    }
    if (style.fgRgb) span.style.color = style.fgRgb;
    if (style.bgRgb) span.style.backgroundColor = style.bgRgb;
    return span;
  }

  // Returns the plain text and fills `target` with styled spans.
  function renderAnsi(raw, target) {
    if (raw.indexOf("\x1b") < 0) {
      target.textContent = raw;
      return raw;
    }
    const style = {};
    let plain = "";
    let last = 0;
    const sgr = /\x1b\[([0-9;]*)m/y;
    ESCAPES.lastIndex = 0;
    let match;
    while ((match = ESCAPES.exec(raw)) !== null) {
      const text = raw.slice(last, match.index);
      if (text) { target.appendChild(styledSpan(text, style)); plain += text; }
      sgr.lastIndex = match.index;
      const sgrMatch = sgr.exec(raw);
      if (sgrMatch) applySgr(sgrMatch[1].split(";").map((n) => parseInt(n || "0", 10)), style);
      last = ESCAPES.lastIndex;
    }
    const rest = raw.slice(last);
    if (rest) { target.appendChild(styledSpan(rest, style)); plain += rest; }
    return plain;
  }

  // --- filter: plain text or regular expression, smart case ----------------------------
  function compileFilter() {
    const o = options();
    const field = controls.elements.filter;
    field.setCustomValidity("");
    state.filterError = "";
    if (!o.filter) return null;
    const flags = o.filter === o.filter.toLowerCase() ? "gi" : "g";
    try {
      const source = o.regex ? o.filter : o.filter.replace(/[.*+?^${}()|[\]\\]/g, "\\$&");
      return new RegExp(source, flags);
    } catch (error) {
      state.filterError = "invalid regular expression";
      field.setCustomValidity(error.message);
      field.reportValidity();
      return null;
    }
  }

  // Notices (stopped, skipped…) are not log lines: always shown, never counted.
  function highlight(entry) {
    if (entry.notice) return false;
    const body = entry.el.lastChild;
    const filter = state.filter;
    if (!filter) {
      if (entry.marked) { body.textContent = ""; renderAnsi(entry.raw, body); entry.marked = false; }
      entry.el.hidden = false;
      return true;
    }
    filter.lastIndex = 0;
    const text = entry.text;
    let match = filter.exec(text);
    if (!match) { entry.el.hidden = true; return false; }
    body.textContent = "";
    let last = 0;
    let guard = 0;
    while (match && guard < 1000) {
      guard += 1;
      if (match[0] === "") { filter.lastIndex += 1; match = filter.exec(text); continue; }
      body.appendChild(document.createTextNode(text.slice(last, match.index)));
      const mark = document.createElement("mark");
      mark.textContent = match[0];
      body.appendChild(mark);
      last = match.index + match[0].length;
      match = filter.exec(text);
    }
    body.appendChild(document.createTextNode(text.slice(last)));
    entry.marked = true;
    entry.el.hidden = false;
    return true;
  }

  function refilter() {
    state.filter = compileFilter();
    let count = 0;
    state.entries.forEach((entry) => { if (highlight(entry)) count += 1; });
    state.matches = count;
    updateCounts();
    if (state.following) scrollToEnd();
  }

  // --- lines in, bounded window out --------------------------------------------------
  function lineElement(line) {
    const [stream, ts, raw, source] = line;
    const el = document.createElement("div");
    el.className = stream === 2 ? "line stderr" : "line";
    const time = document.createElement("span");
    time.className = "ts";
    time.textContent = ts;
    el.appendChild(time);
    if (merged) {
      const tag = document.createElement("span");
      const info = state.sources[source] || { name: `#${source}`, color: source % 8 };
      tag.className = `src src-${info.color}`;
      tag.textContent = info.name;
      el.appendChild(tag);
    }
    const body = document.createElement("span");
    body.className = "text";
    el.appendChild(body);
    const text = renderAnsi(raw, body);
    return { el, text, raw, stream, ts, source, marked: false };
  }

  function notice(text, kind) {
    const el = document.createElement("div");
    el.className = `line notice ${kind || ""}`;
    el.textContent = text;
    state.queue.push({ notice: el });
    schedule();
  }

  function schedule() {
    if (!state.scheduled) {
      state.scheduled = true;
      window.requestAnimationFrame(flush);
    }
  }

  function flush() {
    state.scheduled = false;
    // Lines that would leave the window at once are counted, never drawn: a flood costs
    // at most one window of DOM work per frame.
    const keep = options().keep;
    const waiting = state.queue.reduce((n, item) => n + (item.lines ? item.lines.length : 0), 0);
    let skip = Math.max(0, waiting - keep);
    const fragment = document.createDocumentFragment();
    let added = 0;
    for (const item of state.queue) {
      if (item.notice) { fragment.appendChild(item.notice); state.entries.push({ el: item.notice, notice: true }); continue; }
      let lines = item.lines;
      if (skip > 0) {
        const dropped = Math.min(skip, lines.length);
        lines = lines.slice(dropped);
        skip -= dropped;
        state.trimmed += dropped;
        if (!state.following) state.unseen += dropped;
      }
      for (const line of lines) {
        const entry = lineElement(line);
        if (highlight(entry)) state.matches += 1;
        state.entries.push(entry);
        fragment.appendChild(entry.el);
        added += 1;
      }
      // An ack goes back on the socket its batch came from, never on a newer one.
      if (item.ack !== undefined && item.socket === state.socket && item.socket.readyState === WebSocket.OPEN) {
        item.socket.send(JSON.stringify({ ack: item.ack }));
      }
    }
    state.queue = [];
    logEl.appendChild(fragment);
    trim();
    if (state.following) scrollToEnd();
    else state.unseen += added;
    updateCounts();
  }

  function trim() {
    const keep = options().keep;
    const excess = state.entries.length - keep;
    if (excess <= 0) {
      trimmedEl.hidden = state.trimmed === 0;
      trimmedEl.querySelector("[data-trimmed-count]").textContent = state.trimmed.toLocaleString();
      return;
    }
    const height = logEl.scrollHeight;
    const removed = state.entries.splice(0, excess);
    removed.forEach((entry) => {
      entry.el.remove();
      if (!entry.notice) {
        state.trimmed += 1;
        if (!entry.el.hidden && state.filter) state.matches -= 1;
      }
    });
    if (!state.following) logEl.scrollTop -= height - logEl.scrollHeight;
    trimmedEl.hidden = state.trimmed === 0;
    trimmedEl.querySelector("[data-trimmed-count]").textContent = state.trimmed.toLocaleString();
  }

  function updateCounts() {
    const lines = state.entries.filter((entry) => !entry.notice).length;
    countEl.textContent = `${lines.toLocaleString()} line${lines === 1 ? "" : "s"}`;
    matchesEl.textContent = state.filterError || (state.filter ? `${state.matches.toLocaleString()} matching` : "");
    newLinesButton.hidden = state.following || state.unseen === 0;
    newLinesButton.textContent = `${state.unseen.toLocaleString()} new line${state.unseen === 1 ? "" : "s"} ↓`;
  }

  function scrollToEnd() {
    logEl.scrollTop = logEl.scrollHeight;
  }

  logEl.addEventListener("scroll", () => {
    const atEnd = logEl.scrollHeight - logEl.scrollTop - logEl.clientHeight < 24;
    if (atEnd && !state.following) { state.following = true; state.unseen = 0; }
    else if (!atEnd && state.following) state.following = false;
    root.classList.toggle("paused", !state.following);
    updateCounts();
  });

  newLinesButton.addEventListener("click", () => {
    state.following = true;
    state.unseen = 0;
    root.classList.remove("paused");
    scrollToEnd();
    updateCounts();
  });

  // --- the socket ---------------------------------------------------------------------
  function setStatus(text, kind) {
    statusEl.textContent = text;
    statusEl.className = `log-status ${kind || ""}`;
  }

  // A timestamp as a string that sorts: the daemon trims the fraction's trailing zeros.
  function stampKey(ts) {
    const match = /^(.*?)(?:\.(\d+))?(Z|[+-]\d\d:\d\d)$/.exec(ts || "");
    if (!match) return "";
    const seconds = Date.parse(match[1] + match[3]) / 1000;
    return `${String(seconds).padStart(12, "0")}.${(match[2] || "").padEnd(9, "0")}`;
  }

  // Where a reconnect resumes: the newest line of each source and how many carry its time.
  // stdout and stderr are stamped apart, so a log can step back in time by a hair.
  function remember(lines) {
    for (const [, ts, , source] of lines) {
      const key = stampKey(ts);
      const position = state.positions[source || 0];
      if (position && position.key === key) position.count += 1;
      else if (!position || key > position.key) state.positions[source || 0] = { ts, key, count: 1 };
    }
  }

  function socketUrl(resume) {
    const o = options();
    const url = new URL(root.dataset.socket, window.location.href);
    url.protocol = window.location.protocol === "https:" ? "wss:" : "ws:";
    url.searchParams.set("tail", o.tail);
    if (o.since) url.searchParams.set("since", o.since);
    url.searchParams.set("stdout", o.stdout ? "1" : "0");
    url.searchParams.set("stderr", o.stderr ? "1" : "0");
    if (resume) {
      Object.entries(state.positions).forEach(([source, p]) => url.searchParams.append("resume", `${source}:${p.ts}:${p.count}`));
    }
    return url.toString();
  }

  // Lines arrive as binary messages of records: `{stream}{source} {timestamp} {text}\n`.
  const decoder = new TextDecoder("utf-8");

  function records(buffer) {
    const lines = [];
    const text = decoder.decode(buffer);
    let start = 0;
    while (start < text.length) {
      let end = text.indexOf("\n", start);
      if (end < 0) end = text.length;
      const head = text.indexOf(" ", start);
      const stamp = text.indexOf(" ", head + 1);
      let body = text.slice(stamp + 1, end);
      if (body.endsWith("\r")) body = body.slice(0, -1);
      lines.push([text.charCodeAt(start) - 48, text.slice(head + 1, stamp), body, parseInt(text.slice(start + 1, head), 10)]);
      start = end + 1;
    }
    return lines;
  }

  function connect(resume) {
    const generation = state.generation;
    const socket = new WebSocket(socketUrl(resume));
    socket.binaryType = "arraybuffer";
    state.socket = socket;
    let received = 0;
    setStatus(resume ? "Reconnecting…" : "Connecting…", "busy");
    socket.addEventListener("message", (event) => {
      if (generation !== state.generation) return;
      if (typeof event.data !== "string") {
        state.attempt = 0;
        received += 1;
        const lines = records(event.data);
        remember(lines);
        state.queue.push({ lines, ack: received, socket });
        schedule();
        return;
      }
      const message = JSON.parse(event.data);
      if (message.type === "hello") {
        message.containers.forEach((c) => { state.sources[c.source] = c; });
        setStatus(describe(message.containers), "live");
      } else if (message.type === "skipped") {
        const where = merged ? "each container's own log page can download them" : "they are in the download";
        notice(`… ${message.count.toLocaleString()} lines skipped to keep up (${where})`, "skipped");
      } else if (message.type === "status") {
        onStatus(message);
      }
    });
    socket.addEventListener("close", (event) => {
      if (generation !== state.generation) return;
      if (event.code === 4401) { setStatus("Signed out: sign in again to see the log.", "error"); return; }
      if (event.code === 4404) { setStatus("This container does not exist (any more).", "error"); return; }
      if (event.code === 4400) { setStatus(`Cannot show this log: ${event.reason}`, "error"); return; }
      if (state.ended) return;
      const delay = Math.min(10000, 500 * 2 ** state.attempt);
      state.attempt += 1;
      setStatus(`Connection lost; reconnecting in ${Math.round(delay / 100) / 10} s…`, "error");
      window.setTimeout(() => { if (generation === state.generation) connect(true); }, delay);
    });
  }

  function describe(containers) {
    if (containers.length === 1) return `${containers[0].name}: ${containers[0].state}`;
    return `${containers.length} containers`;
  }

  function nameOf(source) {
    return (state.sources[source] || {}).name || "container";
  }

  function onStatus(message) {
    const who = merged ? `${nameOf(message.source)}: ` : "";
    if (message.state === "live") setStatus(`${who}following live`, "live");
    else if (message.state === "stopped") {
      setStatus(`${who}stopped (exit code ${message.exit_code}); waiting for a restart`, "stopped");
      notice(`— ${who}container stopped, exit code ${message.exit_code} —`, "stopped");
    } else if (message.state === "running") {
      setStatus(`${who}restarted; following live`, "live");
      notice(`— ${who}container started again —`, "running");
    } else if (message.state === "reconnecting") {
      setStatus(`${who}engine unreachable (${message.message}); reconnecting…`, "error");
    } else if (message.state === "removed") {
      setStatus(`${who}the container was removed`, "stopped");
      notice(`— ${who}container removed —`, "stopped");
      if (!merged) state.ended = true;
    } else if (message.state === "ended") {
      setStatus(`${who}end of the log`, "stopped");
      if (!merged) state.ended = true;
    }
  }

  function restart() {
    state.generation += 1;
    if (state.socket) state.socket.close(1000);
    state.entries.forEach((entry) => entry.el.remove());
    state.entries = [];
    state.queue = [];
    state.positions = {};
    state.trimmed = 0;
    state.matches = 0;
    state.unseen = 0;
    state.ended = false;
    state.following = true;
    trimmedEl.hidden = true;
    connect(false);
  }

  // --- controls --------------------------------------------------------------------------
  let filterTimer = null;
  controls.addEventListener("input", (event) => {
    const name = event.target.name;
    if (name === "filter" || name === "regex") {
      clearTimeout(filterTimer);
      filterTimer = setTimeout(refilter, 120);
    } else if (name === "since" || name === "until") {
      updateDownloadLink();
    }
  });
  controls.addEventListener("change", (event) => {
    const name = event.target.name;
    updateDownloadLink();
    if (name === "timestamps") root.classList.toggle("show-ts", event.target.checked);
    else if (name === "wrap") root.classList.toggle("nowrap", !event.target.checked);
    else if (name === "keep") { trim(); updateCounts(); }
    else if (name === "since") restartOnceSinceIsChecked();
    else if (["tail", "stdout", "stderr"].includes(name)) restart();
  });
  controls.addEventListener("submit", (event) => {
    event.preventDefault();
    if (document.activeElement === controls.elements.until) return; // until is the download's
    if (options().since !== since.checked) restartOnceSinceIsChecked();
    else if (!since.invalid) restart();
  });

  // A new "since" is checked by the server first (the command preview answers with what is
  // wrong): a bad one is said at the field and the lines shown stay; a good one restarts.
  const sinceError = root.querySelector("#log-since-error");
  const since = { checked: options().since, invalid: false, waiting: false };

  function restartOnceSinceIsChecked() {
    since.waiting = true;
  }

  document.body.addEventListener("htmx:afterSwap", (event) => {
    if (event.detail.target.id !== "command-preview") return;
    const problem = event.detail.target.querySelector('.preview-errors [data-field="since"]');
    const value = options().since;
    since.checked = value;
    since.invalid = Boolean(problem);
    controls.elements.since.setAttribute("aria-invalid", since.invalid ? "true" : "false");
    sinceError.hidden = !since.invalid;
    sinceError.textContent = problem ? problem.textContent.replace(/^Since:\s*/, "") : "";
    if (since.waiting && !since.invalid) restart();
    since.waiting = false;
  });

  // On a phone the options fold away, so the log itself starts on the first screen.
  const folded = root.querySelector("[data-log-options]");
  if (folded && window.matchMedia("(max-width: 760px)").matches) folded.open = false;

  const initial = options();
  root.classList.toggle("show-ts", initial.timestamps);
  root.classList.toggle("nowrap", !initial.wrap);
  updateDownloadLink();
  state.filter = compileFilter();
  connect(false);
})();
