// Dockside terminal: xterm.js on a websocket to `docker exec -it`. Bytes both ways.
"use strict";

(function () {
  const root = document.querySelector("[data-terminal]");
  if (!root || !window.Terminal) return;

  const controls = root.querySelector("[data-terminal-controls]");
  const statusEl = root.querySelector("[data-terminal-status]");
  const screen = root.querySelector("[data-terminal-screen]");
  const customField = root.querySelector("[data-custom]");
  const encoder = new TextEncoder();

  // DejaVu Mono is served with the page (static/vendor/dejavu-mono/, `make vendor`).
  // xterm.js measures a cell once, when it opens: in whatever font is there by then. So it
  // opens once the font has loaded (a fallback font would size the rows for other glyphs),
  // and a row is 1.2 lines high: at line height 1 the underscore, drawn at the very bottom
  // of the font's descent, falls out of its row at device pixel ratio 1 (issue 10).
  const FONT = "DejaVu Mono";
  const FONT_SIZE = 14;
  const term = new window.Terminal({
    cursorBlink: true,
    convertEol: false,
    fontFamily: `"${FONT}", "DejaVu Sans Mono", ui-monospace, Menlo, Consolas, monospace`,
    fontSize: FONT_SIZE,
    lineHeight: 1.2,
    scrollback: 5000,
    theme: { background: "#0d1117", foreground: "#d7dde4", cursor: "#d7dde4", selectionBackground: "#264f78" },
  });
  const fit = new window.FitAddon.FitAddon();
  term.loadAddon(fit);

  // A font that cannot load leaves the fallback in place: the terminal opens all the same.
  function fontLoaded() {
    if (!document.fonts) return Promise.resolve();
    const faces = ["normal", "bold"].map((weight) => document.fonts.load(`${weight} ${FONT_SIZE}px "${FONT}"`));
    return Promise.all(faces)
      .then(() => document.fonts.ready)
      .catch(() => undefined);
  }

  const opened = fontLoaded().then(() => {
    term.open(screen);
    fit.fit();
  });

  let socket = null;

  function choices() {
    const data = new FormData(controls);
    return {
      shell: data.get("shell") || "auto",
      command: (data.get("command") || "").trim(),
      user: (data.get("user") || "").trim(),
    };
  }

  // The command comes from the server: as the controls change (#command-preview), and the
  // one a session really runs when it opens.
  function showCustomField() {
    customField.hidden = choices().shell !== "custom";
  }

  function setStatus(text, kind) {
    statusEl.textContent = text;
    statusEl.className = `log-status ${kind || ""}`;
  }

  function connect() {
    if (socket) socket.close(1000);
    const c = choices();
    const url = new URL(root.dataset.socket, window.location.href);
    url.protocol = window.location.protocol === "https:" ? "wss:" : "ws:";
    url.searchParams.set("shell", c.shell);
    if (c.shell === "custom") url.searchParams.set("command", c.command);
    if (c.user) url.searchParams.set("user", c.user);
    url.searchParams.set("cols", term.cols);
    url.searchParams.set("rows", term.rows);
    term.reset();
    setStatus("Connecting…", "busy");
    const current = new WebSocket(url.toString());
    current.binaryType = "arraybuffer";
    socket = current;
    current.addEventListener("message", (event) => {
      if (typeof event.data !== "string") {
        term.write(new Uint8Array(event.data));
        return;
      }
      const message = JSON.parse(event.data);
      if (message.state === "open") {
        const commandEl = document.getElementById("docker-command");
        if (commandEl) commandEl.textContent = message.command;
        setStatus("Connected: the session ends when you leave this page", "live");
        term.focus();
      } else if (message.state === "exited") {
        setStatus("The process has ended.", "stopped");
      }
    });
    current.addEventListener("close", (event) => {
      if (socket !== current) return;
      if (event.code === 1000) setStatus("Session closed.", "stopped");
      else if (event.code === 4401) setStatus("Signed out: sign in again.", "error");
      else if (event.reason) setStatus(`Cannot open a terminal: ${event.reason}`, "error");
      else setStatus("The connection was lost. Open a new session to go on.", "error");
    });
  }

  term.onData((data) => {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(encoder.encode(data));
  });
  term.onBinary((data) => {
    if (!socket || socket.readyState !== WebSocket.OPEN) return;
    const bytes = new Uint8Array(data.length);
    for (let i = 0; i < data.length; i += 1) bytes[i] = data.charCodeAt(i) & 255;
    socket.send(bytes);
  });
  term.onResize(({ cols, rows }) => {
    if (socket && socket.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ resize: [cols, rows] }));
  });
  window.addEventListener("resize", () => fit.fit());

  controls.addEventListener("change", showCustomField);
  controls.addEventListener("submit", (event) => {
    event.preventDefault();
    opened.then(connect);
  });

  showCustomField();
  if (!controls.querySelector("button").textContent.includes("Not running")) opened.then(connect);
})();
