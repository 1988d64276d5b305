// Live pages: one WebSocket to /ws/notifications/ (signed in by the session cookie) tells what
// changed; each live region of the page (an element with `data-live`) is then fetched again,
// rendered by the server (`?region=<its id>`), so the page has one way of drawing anything.
// On every (re)connection all regions are fetched: that is how a page catches up on what it
// missed while it was away (the notification list is the inbox).
(() => {
  "use strict";

  const socketPath = document.body.dataset.socket;
  if (!socketPath) return; // signed out: nothing is live

  const MAX_DELAY_MS = 30_000;
  const status = document.getElementById("live-status");
  const announcer = document.getElementById("announcer");
  let failures = 0;

  function setStatus(state, text) {
    status.dataset.state = state;
    status.textContent = text;
  }

  // A region is refreshed by one request at a time; a change that arrives meanwhile asks for
  // one more. A region where a form field has the focus waits until the focus leaves it, so
  // that what the person is typing or choosing is not redrawn under their hands.
  const busy = new WeakSet();
  const again = new WeakSet();
  const waiting = new WeakSet();
  const FIELDS = "input, select, textarea";

  function editing(region) {
    const focused = document.activeElement;
    return region.contains(focused) && focused.matches(FIELDS);
  }

  function replace(region, html) {
    // The focus stays on the element of the same id, if the new content still has it.
    const focusedId = region.contains(document.activeElement) ? document.activeElement.id : "";
    region.innerHTML = html;
    region.dataset.refreshed = String(Date.now());
    if (focusedId) document.getElementById(focusedId)?.focus({ preventScroll: true });
  }

  async function refresh(region) {
    if (editing(region)) {
      waiting.add(region);
      return;
    }
    if (busy.has(region)) {
      again.add(region);
      return;
    }
    busy.add(region);
    try {
      const url = new URL(location.pathname, location.origin);
      url.searchParams.set("region", region.id);
      const response = await fetch(url, { credentials: "same-origin", cache: "no-store" });
      if (response.ok) {
        const html = await response.text();
        if (editing(region)) {
          waiting.add(region);
        } else {
          replace(region, html);
        }
      } else if (response.status === 403) {
        setStatus("closed", "Logged out: reload the page");
      }
    } catch {
      // The server is away; the next connection fetches every region again.
    } finally {
      busy.delete(region);
      if (again.has(region)) {
        again.delete(region);
        refresh(region);
      }
    }
  }

  document.addEventListener("focusout", (event) => {
    for (const region of document.querySelectorAll("[data-live]")) {
      if (waiting.has(region) && !region.contains(event.relatedTarget)) {
        waiting.delete(region);
        refresh(region);
      }
    }
  });

  // "task.updated" concerns regions that list "task"; a board (`data-project`) only its own.
  function concerns(region, message) {
    const topic = message.type.split(".")[0];
    if (!region.dataset.live.split(" ").includes(topic)) return false;
    const project = region.dataset.project;
    return !project || String(message.project_id) === project;
  }

  function receive(message) {
    for (const region of document.querySelectorAll("[data-live]")) {
      if (concerns(region, message)) refresh(region);
    }
    if (message.type === "notification.created") {
      announcer.textContent = message.notification.message;
    }
  }

  function connect() {
    const url = new URL(socketPath, location.href);
    url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
    const socket = new WebSocket(url);
    let openedAt = null;
    socket.addEventListener("open", () => {
      openedAt = Date.now();
      setStatus("live", "Live");
      document.querySelectorAll("[data-live]").forEach(refresh);
    });
    socket.addEventListener("message", (event) => receive(JSON.parse(event.data)));
    socket.addEventListener("close", (event) => {
      // A socket the server closes at once, as it does with 1013 (Try Again Later) while
      // Redis or the database is down, is a failure too: the backoff keeps growing.
      if (openedAt !== null && event.code !== 1013 && Date.now() - openedAt > 10_000) {
        failures = 0;
      }
      // Exponential backoff with jitter, so that a restarted server is not met by every
      // page at the same instant.
      const delay = Math.min(MAX_DELAY_MS, 500 * 2 ** failures) * (0.5 + Math.random() / 2);
      failures += 1;
      setStatus("reconnecting", "Reconnecting…");
      setTimeout(connect, delay);
    });
  }

  connect();
})();
