/* Live turnout for the ballot page and the ballot projector: polls the turnout URL the
   page names in data-turnout and fills the counters it finds. Static (no inline script)
   for the Content-Security-Policy. The projector reloads once the ballot changes state,
   so the results appear by themselves when the office closes the ballot. */
(function () {
  "use strict";
  var box = document.querySelector("[data-turnout]");
  if (!box) return;
  var url = box.getAttribute("data-turnout"), state = box.getAttribute("data-state");
  function put(id, value) { var el = document.getElementById(id); if (el) el.textContent = value; }
  function tick() {
    fetch(url, { cache: "no-store" }).then(function (r) { return r.json(); }).then(function (d) {
      if (state && d.state !== state) { location.reload(); return; }
      // the ballot page shows phone and paper apart, the projector their sums
      put("t-sub", d.submitted); put("t-iss", d.issued);
      put("t-pe", d.paper_entered); put("t-ph", d.paper_handed_out);
      put("submitted", d.submitted + d.paper_entered); put("issued", d.issued + d.paper_handed_out);
    }).catch(function () { /* keep the last figures; the next tick tries again */ });
  }
  setInterval(tick, 3000);
})();
