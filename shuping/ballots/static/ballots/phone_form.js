/* Phone ballot: how many rows are still open, and a jump to the next one. Enhancement
   only; the form works without it. Static for the Content-Security-Policy. */
(function () {
  var form = document.getElementById("sheet"); if (!form) return;
  var names = {}; form.querySelectorAll("input[type=radio]").forEach(function (i) { names[i.name] = 1; });
  var total = Object.keys(names).length, out = document.getElementById("progress");
  function update() {
    var done = Object.keys(names).filter(function (n) { return form.querySelector("input[name='" + n + "']:checked"); }).length;
    out.textContent = done === total ? "已全部选择，可以确认。" : "已选择 " + done + " / " + total + " 项，未选的项按无效处理。";
    var n = document.getElementById("progress-n"); if (n) n.textContent = "已选 " + done + " / " + total;
  }
  form.addEventListener("change", update); update();
  var next = document.getElementById("next-open");
  if (next) next.addEventListener("click", function () {
    var rows = form.querySelectorAll("[data-row]");
    for (var i = 0; i < rows.length; i++) {
      if (!rows[i].querySelector("input:checked")) { rows[i].scrollIntoView({block: "center"}); rows[i].querySelector("input").focus({preventScroll: true}); return; }
    }
  });
})();
