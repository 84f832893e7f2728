/* Fast entry of paper ballots: in a row, keys 1–n pick a grade, 0 "未选", 9 "多选", and the
   focus moves to the next row. Enhancement only; the form works without it. */
(function () {
  "use strict";
  var rows = Array.prototype.slice.call(document.querySelectorAll(".entry-grades"));
  function focusRow(i) { var r = rows[i]; if (r) { var inp = r.querySelector("input:checked") || r.querySelector("input"); inp.focus(); } }
  rows.forEach(function (row, i) {
    var inputs = row.querySelectorAll("input");
    row.addEventListener("keydown", function (e) {
      var n = e.key === "0" ? inputs.length - 2 : e.key === "9" ? inputs.length - 1 : parseInt(e.key, 10) - 1;
      if (isNaN(n) || n < 0 || n >= inputs.length) return;
      e.preventDefault(); inputs[n].checked = true; focusRow(i + 1);
      if (i + 1 === rows.length) document.querySelector("button[type=submit]").focus();
    });
    row.addEventListener("click", function (e) { if (e.target.tagName === "INPUT") focusRow(i + 1); });
  });
})();
