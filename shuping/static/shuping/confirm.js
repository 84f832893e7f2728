/* Page behaviour declared in data-* attributes, so no page needs inline script or on*=
   handlers (the Content-Security-Policy forbids both).

   Irreversible actions ask first. A form (or its submit button) carrying
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
  // data-print: a button (or a link, whose address is the no-script fallback) that prints.
  document.addEventListener("click", function (ev) {
    var el = ev.target.closest && ev.target.closest("[data-print]");
    if (!el) return;
    ev.preventDefault();
    window.print();
  });
  // data-autosubmit: a filter whose form is sent as soon as its value changes.
  document.addEventListener("change", function (ev) {
    var el = ev.target;
    if (el.hasAttribute && el.hasAttribute("data-autosubmit") && el.form) el.form.submit();
  });
})();
