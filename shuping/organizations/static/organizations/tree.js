// Lazily load a node's children the first time it is expanded; "collapse all" closes them.
(function () {
  "use strict";
  document.addEventListener("toggle", function (event) {
    var node = event.target;
    if (node.tagName !== "DETAILS" || !node.open || !node.dataset.src || node.dataset.loaded) return;
    node.dataset.loaded = "1";
    var holder = document.createElement("div");
    holder.className = "muted";
    holder.textContent = "加载中……";
    node.appendChild(holder);
    fetch(node.dataset.src, { credentials: "same-origin", headers: { "X-Requested-With": "fetch" } })
      .then(function (r) { if (!r.ok) throw new Error(r.status); return r.text(); })
      .then(function (html) { holder.outerHTML = html; })
      .catch(function () { holder.textContent = "加载失败，请刷新页面重试。"; delete node.dataset.loaded; });
  }, true);
  var collapse = document.getElementById("collapse-all");
  if (collapse) collapse.addEventListener("click", function () {
    document.querySelectorAll(".tree details[open]").forEach(function (d) { d.open = false; });
  });
})();
