// Enhancement only: the sheet works without it (the server renders the counts and the
// jump links are anchors). Kept out of the page so a Content-Security-Policy without
// 'unsafe-inline' can forbid inline scripts.
(function () {
  "use strict";
  var form = document.getElementById("sheet");
  if (!form) return;
  var names = {};
  form.querySelectorAll("input[type=radio]").forEach(function (i) { names[i.name] = 1; });
  var keys = Object.keys(names);
  var total = keys.length;
  var out = document.getElementById("progress");
  var count = document.getElementById("progress-n");
  var markers = document.querySelectorAll("[data-progress]");

  function answered(scope, name) {
    return scope.querySelector("input[name='" + name + "']:checked") !== null;
  }

  function groupCounts(card) {
    var seen = {}, done = 0, all = 0;
    card.querySelectorAll("input[type=radio]").forEach(function (i) {
      if (seen[i.name]) return;
      seen[i.name] = 1;
      all += 1;
      if (answered(card, i.name)) done += 1;
    });
    return [done, all];
  }

  function update() {
    var done = keys.filter(function (n) { return answered(form, n); }).length;
    if (out) {
      out.textContent = done === total ? "已全部选择，可以确认。"
        : "已选择 " + done + " / " + total + " 项，未选的项按无效处理。";
    }
    if (count) count.textContent = "已选 " + done + " / " + total;
    markers.forEach(function (link) {
      var card = document.getElementById(link.getAttribute("data-progress"));
      if (!card) return;
      var c = groupCounts(card), label = link.querySelector("span");
      var complete = c[0] === c[1];
      link.classList.toggle("done", complete);
      if (label) label.textContent = complete ? "已填完" : c[0] + "/" + c[1] + " 已填";
    });
  }

  form.addEventListener("change", update);
  update();

  var next = document.getElementById("next-open");
  if (next) {
    next.addEventListener("click", function () {
      var rows = form.querySelectorAll("[data-row]");
      for (var i = 0; i < rows.length; i++) {
        if (!rows[i].querySelector("input:checked")) {
          rows[i].scrollIntoView({ block: "center" });
          rows[i].querySelector("input").focus({ preventScroll: true });
          return;
        }
      }
    });
  }
})();
