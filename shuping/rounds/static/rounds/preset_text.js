// Select the line a validation error names in the preset text (no inline script: CSP).
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var form = document.querySelector("form[data-error-line]");
    var area = document.getElementById("id_text");
    if (!form || !area) return;
    var line = parseInt(form.getAttribute("data-error-line"), 10);
    var lines = area.value.split("\n"), start = 0;
    for (var i = 0; i < line - 1 && i < lines.length; i++) start += lines[i].length + 1;
    area.focus();
    area.setSelectionRange(start, start + (lines[line - 1] || "").length);
    area.scrollTop = Math.max(0, (line - 5) * 20);
  });
})();
