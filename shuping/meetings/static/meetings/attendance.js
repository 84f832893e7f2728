/* Staff sign-in: filter the list as you type, tap a name to sign in (or undo)
   without reloading, and refresh the counts every few seconds so two phones at
   two doors see the same numbers. Without JS the buttons post normally. */
(function () {
  "use strict";
  var root = document.getElementById("attendance");
  if (!root) return;
  var list = document.getElementById("taplist");
  var search = document.getElementById("att-search");

  function norm(s) { return (s || "").toLowerCase().replace(/\s+/g, ""); }

  var state = document.getElementById("att-state");
  function filter() {
    var q = norm(search.value), want = state ? state.value : "";
    var header = null, shown = 0;
    function closeGroup() { if (header) header.hidden = shown === 0; }
    Array.prototype.forEach.call(list.children, function (li) {
      if (li.hasAttribute("data-group")) { closeGroup(); header = li; shown = 0; return; }
      var text = norm(li.dataset.text);
      var on = !!li.querySelector("button.tap.on");
      li.hidden = (q !== "" && text.indexOf(q) === -1) ||
        (want === "missing" && on) || (want === "present" && !on);
      if (!li.hidden) shown += 1;
    });
    closeGroup();  // an organization with nobody left to show loses its heading too
  }
  if (search) search.addEventListener("input", filter);
  if (state) state.addEventListener("change", filter);

  function paintCounts(data) {
    document.getElementById("present-total").textContent = data.present;
    document.getElementById("present-mini").textContent = data.present;
    data.categories.forEach(function (c) {
      var row = document.querySelector('#count-rows tr[data-key="' + c.key + '"] .present');
      if (row) row.textContent = c.listed_present;
    });
    // walk-ins are their own line, so the categories add up to the total
    document.getElementById("walk-ins").textContent = data.walk_ins;
    document.getElementById("present-sum").textContent = data.present;
    document.getElementById("walk-mini").textContent = data.walk_ins;
    document.getElementById("walk-note").hidden = !data.walk_ins;
    var ul = document.getElementById("quorum-lines");
    ul.innerHTML = "";
    data.quorum.lines.forEach(function (line) {
      var li = document.createElement("li");
      li.textContent = line;
      li.className = line.charAt(0) === "✓" ? "ok" : line.charAt(0) === "✗" ? "bad" : "";
      ul.appendChild(li);
    });
    var v = document.getElementById("quorum-verdict");
    var q = data.quorum;
    v.innerHTML = "";
    var b = document.createElement("span");
    b.className = "badge " + (!q.rule ? "" : q.overridden ? "warn" : q.met ? "ok" : "bad");
    b.textContent = !q.rule ? "不设到会人数要求" : q.overridden ? "未达要求，已决定继续"
      : q.met ? "符合到会人数要求" : "未达到会人数要求";
    v.appendChild(b);
    var mini = document.getElementById("verdict-mini");
    mini.className = b.className;
    mini.textContent = !q.rule ? "不设人数要求" : q.overridden ? "已决定继续"
      : q.met ? "符合人数要求" : "未达人数要求";
  }

  list.addEventListener("click", function (ev) {
    var btn = ev.target.closest("button.tap");
    if (!btn || btn.disabled) return;
    ev.preventDefault();
    var form = btn.form;
    var body = new FormData(form);
    body.set("action", btn.value);
    btn.disabled = true;
    fetch(location.pathname, {
      method: "POST", body: body, credentials: "same-origin",
      headers: { "X-Requested-With": "fetch" }
    }).then(function (r) { return r.json(); }).then(function (data) {
      btn.classList.toggle("on", data.signed_in);
      btn.value = data.signed_in ? "undo" : "sign_in";
      btn.querySelector(".tap-mark").textContent = data.signed_in ? "✓" : "";
      paintCounts(data);
    }).catch(function () { form.submit(); }).then(function () { btn.disabled = false; });
  });

  function refresh() {
    fetch(root.dataset.json, { credentials: "same-origin", cache: "no-store" })
      .then(function (r) { return r.ok ? r.json() : null; })
      .then(function (d) { if (d) paintCounts(d); })
      .catch(function () {})
      .then(function () { setTimeout(refresh, 4000); });
  }
  setTimeout(refresh, 4000);
})();
