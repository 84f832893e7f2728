// Conveniences for the preset form; everything also works without this file.
(function () {
  "use strict";
  document.addEventListener("DOMContentLoaded", function () {
    var toggle = document.querySelector(".pf-toggle");
    if (!toggle) return;
    toggle.hidden = false;
    toggle.addEventListener("click", function (event) {
      var button = event.target.closest("[data-pf-open]");
      if (!button) return;
      var open = button.getAttribute("data-pf-open") === "1";
      document.querySelectorAll(".pf-panel").forEach(function (panel) { panel.open = open; });
    });
    // a link in the list of sections opens the section it points to
    document.querySelectorAll(".pf-toc a").forEach(function (link) {
      link.addEventListener("click", function () {
        var target = document.querySelector(link.getAttribute("href"));
        if (target && target.tagName === "DETAILS") target.open = true;
      });
    });
  });
})();
