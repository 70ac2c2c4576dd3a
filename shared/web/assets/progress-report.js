// The progress report form.
function initProgress() {
  var form = document.getElementById("progress-form");
  var status = document.getElementById("form-status");
  var result = document.getElementById("result");
  var rows = document.getElementById("indicator-rows");
  var link = cityLink(status);
  if (!link) { return; }
  var url = "cities/" + link.city + "/progress-reports";
  var once = new Once();

  function addRow() {
    var i = rows.children.length;
    var tr = el("tr", { "data-pointer": "/indicators/" + i });
    ["name", "value", "target"].forEach(function (f) {
      var td = el("td", { "data-pointer": "/indicators/" + i + "/" + f });
      td.appendChild(el("input", { "class": "indicator-" + f, maxlength: 200,
        "aria-label": t("jsIndicator" + f) + " " + (i + 1) }));
      tr.appendChild(td);
    });
    rows.appendChild(tr);
  }

  function indicators() {
    var out = [];
    rows.querySelectorAll("tr").forEach(function (tr) {
      var v = {};
      ["name", "value", "target"].forEach(function (f) { v[f] = tr.querySelector(".indicator-" + f).value.trim(); });
      if (!v.name && !v.value && !v.target) { return; }
      if (!v.target) { delete v.target; }
      out.push({ row: tr, value: v });
    });
    return out;
  }

  async function earlier() {
    var r = await call("GET", url, { headers: link.auth });
    if (refused(r, status)) { return false; }
    var list = document.getElementById("report-list");
    list.textContent = "";
    ((r.body && r.body.reports) || []).forEach(function (rep) {
      list.appendChild(el("li", {}, fmtMsg("jsReportOf", { period: rep.period, date: date(rep.submittedAt) })));
    });
    document.getElementById("reports").hidden = !list.children.length;
    return true;
  }

  document.getElementById("add-indicator").addEventListener("click", function () {
    addRow();
    rows.lastChild.querySelector("input").focus();
  });
  form.addEventListener("submit", async function (ev) {
    ev.preventDefault();
    clearErrors(form);
    say(result, "");
    var lines = form.elements.text.value;
    var actions = form.elements.actions.value.split("\n").map(function (a) { return a.trim(); }).filter(Boolean);
    var inds = indicators();
    var body = JSON.stringify({ period: form.elements.period.value.trim(), actions: actions,
      indicators: inds.map(function (x) { return x.value; }), text: lines.trim() });
    var r = await send(once, url, body, link.auth, status, form);
    if (!r) { return; }
    if (r.status === 201 && r.body) {
      say(status, "");
      result.appendChild(el("p", { id: "progress-sent" }, t("jsProgressSent")));
      form.hidden = true;
      result.focus();
      try { await earlier(); } catch (e) { /* the report is sent all the same */ }
      return;
    }
    if (refused(r, status)) { return; }
    if (r.status === 409) { say(status, t("jsProgressMember"), "error"); return; }
    var errs = (r.body && r.body.errors) || [];
    if (r.status === 400 && errs.length) {
      say(status, t("jsFixErrors"), "error");
      var other = [];
      errs.forEach(function (e) {
        var p = e.pointer || "";
        var m = /^\/indicators\/(\d+)(\/\w+)?$/.exec(p);
        var target = null;
        if (m && inds[Number(m[1])]) {
          var row = inds[Number(m[1])].row;
          target = m[2] ? row.querySelector("[data-pointer$='" + m[2] + "']") : row;
        } else if (/^\/actions(\/|$)/.test(p)) {
          target = form.querySelector('[data-pointer="/actions"]').closest(".field");
        } else {
          var f = form.querySelector('[data-pointer="' + CSS.escape(p) + '"]');
          target = f && (f.closest(".field") || f);
        }
        if (target) { fieldError(target, e.detail); } else { other.push((p ? p + ": " : "") + e.detail); }
      });
      generalErrors(status, other);
      var first = form.querySelector("[aria-invalid=true]");
      if (first) { first.focus(); }
      return;
    }
    say(status, problemText(r), "error");
  });

  (async function () {
    form.elements.period.value = String(new Date().getFullYear());
    for (var i = 0; i < 3; i++) { addRow(); }
    say(status, t("jsLoadingReports"));
    try {
      if (!(await earlier())) { return; }
    } catch (e) {
      say(status, t("jsNetwork"), "error");
      return;
    }
    say(status, "");
    form.hidden = false;
  })();
}

initProgress();
