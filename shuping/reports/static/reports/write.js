// Autosave and live quality checks for the report writing page. No dependencies.
// Counting is done by the server (reports/checks.py), so the page and the rules agree.
(function () {
  "use strict";
  var root = document.getElementById("writer");
  if (!root) return;
  var areas = Array.prototype.slice.call(root.querySelectorAll("textarea.section-text"));
  var title = document.getElementById("title");
  var subtitle = document.getElementById("subtitle");
  var saved = document.getElementById("saved");
  var revision = parseInt(root.dataset.revision || "0", 10);
  var dirty = false, saving = false, checkTimer = null;
  var csrf = (document.querySelector("input[name=csrfmiddlewaretoken]") || {}).value || "";

  function payload(kind) {
    var sections = {};
    areas.forEach(function (a) { sections[a.dataset.key] = a.value; });
    return { sections: sections, revision: revision, kind: kind,
             title: title ? title.value : null, subtitle: subtitle ? subtitle.value : null };
  }

  function post(url, body) {
    return fetch(url, {
      method: "POST", credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": csrf },
      body: JSON.stringify(body)
    }).then(function (r) {
      return r.json().then(function (data) { return { ok: r.ok, data: data }; });
    });
  }

  function esc(s) {
    return String(s).replace(/[&<>"]/g, function (c) {
      return { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;" }[c];
    });
  }

  function showChecks(checks, counts) {
    var list = document.getElementById("checks");
    if (list && checks) {
      list.innerHTML = checks.map(function (c) {
        var cls = c.verdict === "ok" ? "ok" : c.verdict === "warn" ? "warn" : "bad";
        var label = c.verdict === "ok" ? "✓" : c.verdict === "warn" ? "提醒" : "必改";
        return '<li class="check-' + c.verdict + '"><span class="badge ' + cls + '">' + label +
          "</span> <b>" + esc(c.title) + '</b> <span class="muted">' + esc(c.measured) +
          "</span><br><small>" + esc(c.rule) + (c.verdict !== "ok" ? " — " + esc(c.message) : "") +
          "</small></li>";
      }).join("");
    }
    var form = document.getElementById("submit-form");
    if (form && checks) {
      // the confirmation and the note next to the button follow the live checks
      var failing = checks.filter(function (c) { return c.verdict !== "ok"; });
      var names = failing.map(function (c) { return c.title; });
      form.setAttribute("data-confirm", "提交后报告交组织单位审核，审核期间不能修改。" +
        (names.length ? "以下检查仍未通过：" + names.join("；") + "。" : "") + "确定提交吗？");
      var count = document.getElementById("checks-count");
      if (count) count.textContent = failing.length ? failing.length + " 项未通过" : "全部通过";
      var note = document.getElementById("submit-note");
      var list = document.getElementById("submit-failing");
      if (note && list) {
        note.hidden = !failing.length;
        list.textContent = failing.map(function (c) {
          return c.title + (c.verdict === "block" ? "（必改）" : "");
        }).join("；");
      }
    }
    if (counts) {
      Array.prototype.forEach.call(root.querySelectorAll(".count"), function (el) {
        if (el.dataset.key in counts) el.textContent = counts[el.dataset.key];
      });
    }
  }

  function save(kind) {
    if (saving) return Promise.resolve(false);
    saving = true;
    var wasDirty = dirty;
    dirty = false;
    saved.textContent = "正在保存…";
    saved.classList.remove("error");
    return post(root.dataset.autosave, payload(kind)).then(function (res) {
      saving = false;
      if (!res.ok) {
        dirty = wasDirty;
        saved.textContent = res.data.detail || "保存失败";
        saved.classList.add("error");
        return false;
      }
      revision = res.data.revision;
      saved.textContent = "已保存 " + res.data.saved_at;
      showChecks(res.data.checks, res.data.counts);
      return true;
    }).catch(function () {
      saving = false;
      dirty = true;
      saved.textContent = "网络中断，未保存";
      saved.classList.add("error");
      return false;
    });
  }

  function changed() {
    dirty = true;
    saved.textContent = "有未保存的修改";
    clearTimeout(checkTimer);
    checkTimer = setTimeout(function () {
      post(root.dataset.checks, payload("check")).then(function (res) {
        if (res.ok) showChecks(res.data.checks, res.data.counts);
      }).catch(function () {});
    }, 700);
  }

  areas.concat([title, subtitle]).forEach(function (el) {
    if (el) el.addEventListener("input", changed);
  });
  setInterval(function () { if (dirty) save("autosave"); }, 5000);

  var now = document.getElementById("save-now");
  if (now) now.addEventListener("click", function () { save("save"); });

  var form = document.getElementById("submit-form");
  if (form) form.addEventListener("submit", function (e) {
    if (e.defaultPrevented || !dirty) return;  // declined in the confirmation, or nothing to save
    e.preventDefault();
    save("save").then(function (ok) { if (ok) form.submit(); });
  });

  // On a phone the checks are a bar at the bottom of the screen, closed until tapped.
  var bar = document.querySelector(".checks-bar");
  if (bar && window.matchMedia("(max-width: 900px)").matches) bar.open = false;

  window.addEventListener("beforeunload", function (e) {
    if (dirty) { e.preventDefault(); e.returnValue = ""; }
  });
})();
