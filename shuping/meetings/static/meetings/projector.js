/* The meeting's one projector screen. The host's console chooses what it shows; this page
   long-polls the server (`?v=<version>` returns as soon as anything changes) and redraws.
   On a network hiccup it says so in the corner and reconnects with a growing pause. */
(function () {
  "use strict";
  var root = document.getElementById("pj");
  if (!root) return;
  var $ = function (id) { return document.getElementById(id); };
  var state = JSON.parse($("pj-initial").textContent);
  var failures = 0;

  function el(tag, cls, text) {
    var e = document.createElement(tag);
    if (cls) e.className = cls;
    if (text !== undefined) e.textContent = text;
    return e;
  }
  function clear(node) { while (node.firstChild) node.removeChild(node.firstChild); }

  function show(mode) {
    var view = mode;
    if (mode === "questions" && !state.current) view = "agenda";
    if ((mode === "turnout" || mode === "results") && !state.panel) view = "agenda";
    root.dataset.mode = view;
    var parts = root.querySelectorAll("[data-for]");
    for (var i = 0; i < parts.length; i++) parts[i].hidden = parts[i].dataset.for !== view;
    return view;
  }

  function agendaLabel(s) {
    var c = s.current;
    if (!c) return s.status_label;
    if (c.started_at && !c.ended_at) return "正在述职";
    if (c.ended_at) return "述职结束 · 提问与点评";
    return "请准备";
  }

  function renderAgenda(s) {
    $("pj-label").textContent = agendaLabel(s);
    $("pj-name").textContent = s.current ? s.current.name : s.title;
    $("pj-pos").textContent = s.current
      ? [s.current.position, s.current.organization].filter(Boolean).join(" · ") : "";
    var first = s.status === "planned" ? "首位述职：" : "下一位：";
    $("pj-next").textContent = s.next ? first + s.next.name + " · " + s.next.organization : "";
    $("pj-progress").textContent = "已述职 " + s.done + "/" + s.total;
  }

  function renderQuestions(s) {
    var c = s.current || {};
    $("pj-q-who").textContent = [c.name, c.organization].filter(Boolean).join(" · ");
    var list = $("pj-q-list");
    clear(list);
    (s.questions || []).forEach(function (q) {
      var li = el("li");
      li.appendChild(el("p", "pj-q", "问：" + q.text));
      if (q.answer) li.appendChild(el("p", "pj-a", "答：" + q.answer));
      list.appendChild(li);
    });
    if (!(s.questions || []).length) list.appendChild(el("li", "pj-muted", "暂无提问"));
  }

  function renderTurnout(p) {
    $("pj-b-title").textContent = p.title + " · 测评进行中";
    var done = (p.submitted || 0) + (p.paper_entered || 0);
    var all = (p.issued || 0) + (p.paper_handed_out || 0);
    $("pj-b-done").textContent = done;
    $("pj-b-all").textContent = all;
    $("pj-b-bar").style.width = (all ? Math.min(100, 100 * done / all) : 0) + "%";
    $("pj-b-note").textContent = p.paper_handed_out
      ? "已提交（手机 " + p.submitted + "，纸质已录入 " + p.paper_entered + "） / 已发放"
      : "已提交测评票 / 已发放";
  }

  function renderResults(p) {
    $("pj-r-title").textContent = p.title + " · 收回测评票 " + p.sheets + " 张";
    var legend = $("pj-r-legend");
    clear(legend);
    p.scale.forEach(function (g, i) { legend.appendChild(el("span", "pj-key t" + i, g)); });
    var rows = $("pj-r-rows");
    clear(rows);
    // every reporter fits on one screen: shrink the type as the list grows
    var n = Math.max(4, p.rows.length);
    rows.style.fontSize = "min(4vh, " + ((64 / n - 0.5) / 1.3).toFixed(2) + "vh)";
    p.rows.forEach(function (r) {
      var row = el("div", "pj-row");
      row.appendChild(el("div", "pj-row-name", r.name));
      var bar = el("div", "pj-bar");
      r.bars.forEach(function (b) {
        if (!b.count) return;
        var seg = el("span", "t" + b.tone, b.pct >= 12 ? b.grade + " " + b.pct + "%" : "");
        // never narrower than a sliver, so a small share stays visible at any width
        seg.style.flexGrow = String(Math.max(b.pct, 1.5));
        seg.title = b.grade + " " + b.count + "票 " + b.pct + "%";
        bar.appendChild(seg);
      });
      row.appendChild(bar);
      rows.appendChild(row);
    });
  }

  function render(s) {
    state = s;
    $("pj-title").textContent = s.title;
    var view = show(s.mode);
    if (view === "agenda") renderAgenda(s);
    else if (view === "title") {
      $("pj-t-title").textContent = s.title;
      $("pj-t-when").textContent = [s.date, s.place].filter(Boolean).join(" · ");
    } else if (view === "questions") renderQuestions(s);
    else if (view === "turnout") renderTurnout(s.panel);
    else if (view === "results") renderResults(s.panel);
    else if (view === "notice") $("pj-notice").textContent = s.notice || "";
  }

  function wait() {
    var sent = Date.now();
    // after a failure, ask without waiting, so the screen knows at once it is back
    var url = root.dataset.state + (failures ? "" : "?v=" + encodeURIComponent(state.version));
    fetch(url, { cache: "no-store", credentials: "same-origin" })
      .then(function (r) { if (!r.ok) throw new Error(String(r.status)); return r.json(); })
      .then(function (s) {
        var got = Date.now();
        window.ShupingTimer.setOffset(Date.parse(s.server_now) - (sent + got) / 2);
        failures = 0;
        $("pj-offline").hidden = true;
        render(s);
        setTimeout(wait, 30);
      })
      .catch(function () {
        failures += 1;
        $("pj-offline").hidden = false;
        setTimeout(wait, Math.min(5000, 250 * Math.pow(2, failures)));
      });
  }

  setInterval(function () {
    var t = $("pj-timer"), l = $("pj-timer-label"), s = state;
    if (!s.current || (!s.limit_seconds && !s.current.started_at)) {
      t.textContent = ""; l.textContent = ""; return;
    }
    var r = window.ShupingTimer.reading(s.current.started_at, s.current.ended_at, s.limit_seconds);
    window.ShupingTimer.paint(t, r);
    l.className = "pj-timer-label" + (r.over ? " over" : "");
    l.textContent = r.idle ? "时限 " + Math.round(s.limit_seconds / 60) + " 分钟"
      : r.ended ? (r.over ? "超时（已结束）" : "剩余（已结束）")
      : r.over ? "已超时" : s.limit_seconds ? "剩余时间" : "已用时间";
  }, 250);

  render(state);
  // The page arrives with its state; the first wait starts after a moment, so the page
  // counts as loaded (network idle) for tools that wait for that.
  setTimeout(wait, 800);
})();
