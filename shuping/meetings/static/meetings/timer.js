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

  function projector(root) {
    if (!root) return;
    var $ = function (id) { return document.getElementById(id); };
    var last = null;
    function label(s) {
      var c = s.current;
      if (!c) return s.status_label;
      if (c.started_at && !c.ended_at) return "正在述职";
      if (c.ended_at) return "述职结束 · 提问与点评";
      return "请准备";
    }
    function render(s) {
      last = s;
      $("pj-title").textContent = s.title;
      $("pj-label").textContent = label(s);
      // Between reporters (before, after) the meeting's own title fills the screen.
      $("pj-name").textContent = s.current ? s.current.name : s.title;
      $("pj-pos").textContent = s.current
        ? [s.current.position, s.current.organization].filter(Boolean).join(" · ") : "";
      var first = s.status === "planned" ? "首位述职：" : "下一位：";
      $("pj-next").textContent = s.next ? first + s.next.name + " · " + s.next.organization : "";
      $("pj-progress").textContent = "已述职 " + s.done + "/" + s.total;
    }
    poll(root.dataset.state, 2000, render);
    setInterval(function () {
      if (!last) return;
      var t = $("pj-timer"), l = $("pj-timer-label");
      if (!last.current || !last.limit_seconds && !last.current.started_at) {
        t.textContent = ""; l.textContent = ""; return;
      }
      var r = reading(last.current.started_at, last.current.ended_at, last.limit_seconds);
      paint(t, r);
      l.className = "pj-timer-label" + (r.over ? " over" : "");
      l.textContent = r.idle ? "时限 " + Math.round(last.limit_seconds / 60) + " 分钟"
        : r.ended ? (r.over ? "超时（已结束）" : "剩余（已结束）")
        : r.over ? "已超时" : last.limit_seconds ? "剩余时间" : "已用时间";
    }, 250);
  }

  window.ShupingTimer = { host: host, projector: projector, reading: reading };
})();
