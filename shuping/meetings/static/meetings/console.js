/* The host's console: scale the projector preview (a 1280×720 page) to its box. */
(function () {
  "use strict";
  var boxes = document.querySelectorAll(".pj-preview");
  function fit() {
    for (var i = 0; i < boxes.length; i++) {
      boxes[i].style.setProperty("--pj-scale", String(boxes[i].clientWidth / 1280));
    }
  }
  window.addEventListener("resize", fit);
  fit();
})();
