/* The member list: filter, sort and count the rows; the committee's proposals counted and
   filled from the self-evaluations. Enhancement only; the page works without it. Static for
   the Content-Security-Policy. */
(function () {
  var table = document.getElementById("mr-table"); if (!table) return;
  var body = table.tBodies[0], rows = Array.prototype.slice.call(body.rows);
  var q = document.getElementById("mr-filter"), only = document.getElementById("mr-only"), out = document.getElementById("mr-count");
  function proposal(r) { var s = r.querySelector("select"); return s ? s.value : r.dataset.pro; }
  function apply() {
    var text = q.value.trim(), mode = only.value, shown = 0;
    rows.forEach(function (r) {
      var ok = !text || r.cells[1].textContent.indexOf(text) >= 0;
      if (mode === "noself") ok = ok && !r.dataset.self;
      else if (mode === "nopro") ok = ok && !proposal(r);
      else if (mode.indexOf("g:") === 0) { var g = mode.slice(2); ok = ok && (proposal(r) === g || r.dataset.final === g); }
      r.hidden = !ok; if (ok) shown++;
    });
    out.textContent = "显示 " + shown + " / " + rows.length + " 人";
  }
  q.addEventListener("input", apply); only.addEventListener("change", apply); apply();
  table.querySelectorAll("[data-sort]").forEach(function (b) {
    b.addEventListener("click", function () {
      var i = +b.dataset.sort, dir = b.dataset.dir === "asc" ? -1 : 1; b.dataset.dir = dir === 1 ? "asc" : "desc";
      rows.sort(function (a, c) { var x = a.cells[i].textContent.trim(), y = c.cells[i].textContent.trim();
        return (i === 0 ? (+x - +y) : x.localeCompare(y, "zh")) * dir; });
      rows.forEach(function (r) { body.appendChild(r); });
    });
  });
  var form = document.getElementById("mr-proposals"), count = document.getElementById("mr-pro-count");
  if (!form) return;
  function counted() { var n = rows.filter(function (r) { return proposal(r); }).length; count.textContent = "已提出建议 " + n + " / " + rows.length + " 人"; }
  form.addEventListener("change", function (ev) { var tr = ev.target.closest("tr"); if (tr) tr.classList.add("changed"); counted(); });
  document.getElementById("mr-fill").addEventListener("click", function () {
    rows.forEach(function (r) { var s = r.querySelector("select"); if (s && !s.value && r.dataset.self) { s.value = r.dataset.self; r.classList.add("changed"); } });
    counted();
  });
  counted();
})();
