/* Irreversible actions ask first. A form (or its submit button) carrying
   data-confirm="…" shows that text in a confirmation dialog and is only sent when
   the person agrees. The text is written by the server and says what will happen;
   pages may update it (the writing page lists the checks that still fail). Kept in
   a static file so the Content-Security-Policy needs no inline script. */
(function () {
  "use strict";
  document.addEventListener("submit", function (ev) {
    var form = ev.target;
    var button = ev.submitter;
    var text = (button && button.getAttribute("data-confirm")) || form.getAttribute("data-confirm");
    if (text && !window.confirm(text)) {
      ev.preventDefault();
      ev.stopImmediatePropagation();
    }
  }, true);
  document.addEventListener("click", function (ev) {
    var el = ev.target.closest && ev.target.closest("[data-print]");
    if (el) window.print();
  });
})();
