/* Sizes that come from data (vote bars, the number of rows sharing a projector screen).
   The Content-Security-Policy allows no style="" attributes, so the server writes
   data-width="37.50" (percent) or data-rows="12" (the --n custom property) and this
   applies them through the CSSOM, which the policy permits. */
(function () {
  "use strict";
  function apply(root) {
    root.querySelectorAll("[data-width]").forEach(function (el) {
      var pct = parseFloat(el.getAttribute("data-width"));
      if (!isNaN(pct)) el.style.width = Math.max(0, Math.min(100, pct)) + "%";
    });
    root.querySelectorAll("[data-rows]").forEach(function (el) {
      var n = parseInt(el.getAttribute("data-rows"), 10);
      if (n > 0) el.style.setProperty("--n", String(n));
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", function () { apply(document); });
  } else {
    apply(document);
  }
})();
