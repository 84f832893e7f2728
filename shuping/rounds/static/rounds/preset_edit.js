/* When the rules do not validate, select the line the error names in the text box.
   Static for the Content-Security-Policy; the line comes from data-error-line. */
(function () {
  "use strict";
  var mark = document.querySelector("[data-error-line]");
  var area = document.getElementById("id_text");
  if (!mark || !area) return;
  var line = parseInt(mark.getAttribute("data-error-line"), 10);
  if (!(line > 0)) return;
  var lines = area.value.split("\n"), start = 0;
  for (var i = 0; i < line - 1 && i < lines.length; i++) start += lines[i].length + 1;
  area.focus();
  area.setSelectionRange(start, start + (lines[line - 1] || "").length);
  area.scrollTop = Math.max(0, (line - 5) * 20);
})();
