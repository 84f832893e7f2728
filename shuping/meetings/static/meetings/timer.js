/* Report timer for the host console and the projector.
   The server owns the state (started_at / ended_at); this only counts. The clock
   offset to the server is re-measured on every poll, so a wrong phone/PC clock does
   not move the countdown. */
(function () {
  "use strict";
  var offset = 0; // server time minus local time, ms

  function pad(n) { return (n < 10 ? "0" : "") + n; }
  function fmt(sec) {
    sec = Math.max(0, Math.floor(sec));
    return pad(Math.floor(sec / 60)) + ":" + pad(sec % 60);
  }
  function parse(iso) { return iso ? Date.parse(iso) : null; }

  /* Text and state for a timer: {text, over} */
  function reading(startedIso, endedIso, limit) {
    var started = parse(startedIso), ended = parse(endedIso);
    if (!started) return { text: limit ? fmt(limit) : "--:--", over: false, idle: true };
    var now = ended || (Date.now() + offset);
    var elapsed = (now - started) / 1000;
    if (!limit) return { text: fmt(elapsed), over: false };
    var left = limit - elapsed;
    if (left >= 0) return { text: fmt(Math.ceil(left - 1e-9)), over: false, ended: !!ended };
    return { text: "+" + fmt(-left), over: true, ended: !!ended };
  }

  function poll(url, every, onState) {
    function tick() {
      var sent = Date.now();
      fetch(url, { credentials: "same-origin", cache: "no-store" })
        .then(function (r) { return r.ok ? r.json() : null; })
        .then(function (s) {
          if (!s) return;
          var got = Date.now();
          offset = Date.parse(s.server_now) - (sent + got) / 2;
          onState(s);
        })
        .catch(function () { /* keep counting on the last state */ })
        .then(function () { setTimeout(tick, every); });
    }
    tick();
  }

  function paint(el, r) {
    el.textContent = r.text;
    el.classList.toggle("over", r.over);
    el.classList.toggle("idle", !!r.idle);
    el.classList.toggle("stopped", !!r.ended);
  }

  function signature(s) {
    var c = s.current || {};
    return [s.status, c.name || "", c.started_at || "", c.ended_at || "", s.done].join("|");
  }

  function host(root) {
    var el = document.getElementById("timer");
    if (!root) return;
    var state = { s: el ? el.dataset.started || null : null, e: el ? el.dataset.ended || null : null,
                  limit: el ? parseInt(el.dataset.limit || "0", 10) : 0 };
    var first = null;
    poll(root.dataset.state, 5000, function (s) {
      var sig = signature(s);
      if (first === null) first = sig;
      // Changed from another device: offer a refresh rather than reload, so text being
      // typed into a question or critique is not lost.
      var note = document.getElementById("stale");
      if (sig !== first && note) note.hidden = false;
      var c = s.current;
      if (sig === first) { state.s = c ? c.started_at : null; state.e = c ? c.ended_at : null; }
    });
    if (!el) return;
    setInterval(function () { paint(el, reading(state.s, state.e, state.limit)); }, 250);
    paint(el, reading(state.s, state.e, state.limit));
  }

  window.ShupingTimer = {
    host: host, reading: reading, paint: paint,
    setOffset: function (ms) { offset = ms; }
  };
  // The host console marks its root; started from here, not from an inline call, so the
  // Content-Security-Policy needs no inline script.
  var hostRoot = document.querySelector("[data-timer-host]");
  if (hostRoot) host(hostRoot);
})();
