// The secretariat's analytical reports: the drafts to review, one report
// (its preview, the secretariat's introduction and comments per area in
// English and French, its publication), and a city's reports in its file.
// The console (secretariat.js) gives it the token, its way of handling a
// refused token and its way of showing a view.

// stackTable builds a table of items with columns [header, cell(item)],
// each row's attributes from attrs(item). Each cell carries its header as
// data-label, which a narrow screen shows beside the value (the table then
// stacks its rows, as the invoices' do).
function stackTable(id, caption, items, cols, attrs) {
  var table = el("table", { id: id, "class": "stack", role: "table" });
  table.appendChild(el("caption", {}, caption));
  var head = el("tr", { role: "row" });
  cols.forEach(function (c) { head.appendChild(el("th", { scope: "col", role: "columnheader" }, t(c[0]))); });
  table.appendChild(el("thead", { role: "rowgroup" })).appendChild(head);
  var body = el("tbody", { role: "rowgroup" });
  items.forEach(function (x) {
    var tr = el("tr", Object.assign({ role: "row" }, attrs(x)));
    cols.forEach(function (c) {
      var td = c[1](x);
      td.setAttribute("role", "cell");
      td.setAttribute("data-label", t(c[0]));
      tr.appendChild(td);
    });
    body.appendChild(tr);
  });
  table.appendChild(body);
  return table;
}

function textCell(text, cls) { return el("td", { "class": cls || null }, text); }

function linkCell(href, text) {
  var td = el("td");
  td.appendChild(el("a", { href: href }, text));
  return td;
}

// reportHref is where the console opens a report.
function reportHref(rep) { return "#report=" + rep.cityId + "/" + rep.reportId; }

// reportState words a report's state: a draft, or published on a date.
function reportState(rep) {
  return rep.status === "published" ? fmtMsg("jsReportPublishedOn", { date: date(rep.publishedAt) }) : t("jsReportDraft");
}

// cityReportList lists a city's analytical reports in its file: each
// draft or published, a link that opens it, its documents once published.
// shown says whether the file is still the one shown.
async function cityReportList(ul, box, cityId, headers, shown) {
  var r = await call("GET", "cities/" + encodeURIComponent(cityId) + "/reports", { headers: headers });
  if (!shown()) { return; }
  ul.textContent = "";
  say(box, "");
  if (r.status !== 200 || !r.body) { ul.appendChild(el("li", { "class": "error" }, problemText(r))); return; }
  r.body.reports.forEach(function (rep) {
    var li = el("li", { "data-report": rep.reportId, "data-status": rep.status },
      fmtMsg("jsReportLine", { drafted: date(rep.createdAt, "short"), state: reportState(rep) }) + " ");
    li.appendChild(el("a", { href: reportHref(rep), "aria-label": fmtMsg("jsOpenReportOf", { date: date(rep.createdAt, "short") }) },
      t(rep.status === "draft" ? "jsReview" : "jsOpen")));
    li.appendChild(document.createTextNode(" "));
    li.appendChild(reportButtons(rep, headers, box));
    ul.appendChild(li);
  });
  if (!r.body.reports.length) { ul.appendChild(el("li", {}, t("jsNone"))); }
}

// canonical writes a commentary as one string, empty texts left out, so
// that two commentaries saying the same compare equal.
function canonical(c) {
  var pair = function (x) { return x && (x.en || x.fr) ? { en: x.en || "", fr: x.fr || "" } : null; };
  var areas = (c && c.areas) || {};
  var out = { introduction: pair(c && c.introduction), areas: {} };
  Object.keys(areas).sort().forEach(function (k) { if (pair(areas[k])) { out.areas[k] = pair(areas[k]); } });
  return JSON.stringify(out);
}

// initReview wires the reports of the console; it gives the function that
// routes a location's hash to them (true when it is theirs).
function initReview(auth, rejected, show) {
  var listStatus = document.getElementById("review-status");
  var listBox = document.getElementById("review-list");
  var page = document.getElementById("report");
  var title = document.getElementById("report-title");
  var facts = document.getElementById("report-facts");
  var status = document.getElementById("report-status");
  var docs = document.getElementById("report-docs");
  var frame = document.getElementById("report-preview");
  var form = document.getElementById("commentary-form");
  var fields = document.getElementById("commentary-fields");
  var saveButton = document.getElementById("commentary-save");
  var review = document.getElementById("report-review");
  var publishButton = document.getElementById("publish");
  var confirmBox = document.getElementById("publish-confirm");
  var go = document.getElementById("publish-go");
  // open is the report shown: {cityId, reportId, rep, sub, areas, loaded};
  // shown counts the views opened, so that an answer come late for an
  // earlier one is not shown.
  var open = null;
  var shown = 0;
  var dirty = false;
  var saving = false;

  async function submissionOf(rep) {
    var r = await call("GET", "cities/" + rep.cityId + "/index/submissions/" + rep.submissionId, { headers: auth() });
    return r.status === 200 && r.body ? r.body : null;
  }

  // drafts lists the drafts awaiting review, each with its INDEX.
  async function drafts() {
    var n = ++shown;
    open = null;
    show("review");
    document.getElementById("review-title").focus();
    say(listStatus, t("jsLoadingReports"));
    var r, subs;
    try {
      r = await call("GET", "admin/reports", { headers: auth() });
      if (n !== shown || rejected(r)) { return; }
      if (r.status !== 200 || !r.body) { say(listStatus, problemText(r), "error"); return; }
      subs = await Promise.all(r.body.reports.map(submissionOf));
    } catch (e) {
      say(listStatus, t("jsNetwork"), "error");
      return;
    }
    if (n !== shown) { return; }
    say(listStatus, "");
    listBox.textContent = "";
    var items = r.body.reports.map(function (rep, i) { return { rep: rep, sub: subs[i] }; });
    if (!items.length) {
      listBox.appendChild(el("p", { id: "review-none" }, t("jsNoDrafts")));
      return;
    }
    listBox.appendChild(stackTable("drafts", fmtMsg("jsDraftsCaption", { count: items.length }), items, [
      ["jsCol_city", function (x) { return linkCell(reportHref(x.rep), x.rep.cityName); }],
      ["jsCol_submitted", function (x) { return textCell(x.sub ? date(x.sub.submittedAt, "short") : "–"); }],
      ["jsCol_version", function (x) { return textCell(x.sub ? x.sub.version : "–"); }],
      ["jsCol_aggregate", function (x) { return textCell(x.sub && x.sub.result ? percent(x.sub.result.aggregate) : "–", "num"); }],
      ["jsCol_drafted", function (x) { return textCell(date(x.rep.createdAt, "short")); }]
    ], function (x) { return { "data-report": x.rep.reportId, "data-city": x.rep.cityId }; }));
  }

  // openReport shows one report: its facts, its preview and, a draft, the
  // commentary form and the publication.
  async function openReport(cityId, reportId) {
    var n = ++shown;
    open = null;
    page.removeAttribute("data-loaded");
    show("report");
    title.textContent = t("jsReportLoading");
    title.focus();
    facts.textContent = "";
    docs.textContent = "";
    fields.textContent = "";
    review.hidden = true;
    frame.removeAttribute("data-shown");
    frame.srcdoc = "";
    say(status, t("jsLoadingReports"));
    var rep, sub, q;
    try {
      var r = await call("GET", "cities/" + cityId + "/reports", { headers: auth() });
      if (n !== shown || rejected(r)) { return; }
      if (r.status !== 200 || !r.body) { say(status, problemText(r), "error"); return; }
      rep = r.body.reports.filter(function (x) { return x.reportId === reportId; })[0];
      if (!rep) { say(status, t("jsNoSuchReport"), "error"); return; }
      sub = await submissionOf(rep);
      // The areas of the submission's questionnaire, titled in the page's
      // language.
      var rq = await call("GET", "questionnaire" + (sub ? "/" + encodeURIComponent(sub.version) : "") + "?lang=" + lang);
      q = rq.status === 200 && rq.body ? rq.body : null;
    } catch (e) {
      say(status, t("jsNetwork"), "error");
      return;
    }
    if (n !== shown) { return; }
    open = { cityId: cityId, reportId: reportId, rep: rep, sub: sub, areas: (q && q.areas) || [] };
    say(status, "");
    render();
    if (rep.status === "draft") { commentaryForm(rep.commentary); }
    page.setAttribute("data-loaded", reportId);
    title.focus();
    preview();
  }

  function fact(key, value, name) {
    facts.appendChild(el("dt", {}, t(key)));
    facts.appendChild(el("dd", { "data-fact": name }, value));
  }

  // render shows the report's facts and documents, and the review of a
  // draft.
  function render() {
    var rep = open.rep;
    var sub = open.sub;
    title.textContent = fmtMsg("jsReportTitle", { city: rep.cityName });
    facts.textContent = "";
    fact("jsRepFact_status", reportState(rep), "status");
    if (sub) {
      fact("jsRepFact_index", fmtMsg("jsRepIndex", { version: sub.version, date: date(sub.submittedAt) }), "index");
      if (sub.result) { fact("jsRepFact_aggregate", percent(sub.result.aggregate), "aggregate"); }
    }
    fact("jsRepFact_drafted", date(rep.createdAt), "drafted");
    var dd = el("dd");
    dd.appendChild(el("a", { href: "#city=" + rep.cityId }, rep.cityName));
    facts.appendChild(el("dt", {}, t("jsRepFact_city")));
    facts.appendChild(dd);
    docs.textContent = "";
    docs.appendChild(reportButtons(rep, auth(), status));
    review.hidden = rep.status !== "draft";
    confirmBox.hidden = true;
  }

  // preview shows the report as HTML, fetched with the token, in a frame
  // of its own document: sandboxed (no script, an origin of its own) and
  // under this page's policy, which admits the report's style sheet.
  async function preview() {
    var n = shown;
    var o = open;
    var resp;
    try {
      resp = await fetch(o.rep.links.self, { headers: Object.assign({ "Accept": "text/html", "Accept-Language": lang }, auth()),
        credentials: "omit", cache: "no-store" });
      if (n !== shown) { return; }
      if (!resp.ok) {
        var body = null;
        try { body = await resp.json(); } catch (e) { body = null; }
        say(status, problemText({ status: resp.status, body: body }), "error");
        return;
      }
      var html = await resp.text();
      if (n !== shown) { return; }
      frame.srcdoc = html;
      frame.setAttribute("data-shown", o.rep.status + "-" + Date.now());
    } catch (e) {
      say(status, t("jsNetwork"), "error");
    }
  }

  // textPair builds an English and a French text of the commentary, at
  // pointer (/introduction, /areas/<id>), filled with text.
  function textPair(prefix, pointer, legend, text, hideLegend) {
    var fs = el("fieldset", { "class": "pair", "data-pointer": pointer });
    fs.appendChild(el("legend", { "class": hideLegend ? "vh" : null }, legend));
    [["en", "jsInEnglish"], ["fr", "jsInFrench"]].forEach(function (l) {
      var id = prefix + "-" + l[0];
      var wrap = el("div", { "class": "field", "data-pointer": pointer + "/" + l[0] });
      wrap.appendChild(el("label", { "for": id }, t(l[1])));
      var ta = el("textarea", { id: id, name: id, lang: l[0], rows: 4, maxlength: 4000, "data-lang": l[0] });
      ta.value = (text && text[l[0]]) || "";
      wrap.appendChild(ta);
      fs.appendChild(wrap);
    });
    return fs;
  }

  // commentaryForm fills the form with commentary c: the introduction, and
  // a comment per area of the report's questionnaire, each area folded
  // unless it has one.
  function commentaryForm(c) {
    fields.textContent = "";
    clearErrors(form);
    var areas = (c && c.areas) || {};
    fields.appendChild(textPair("cm-intro", "/introduction", t("jsIntroduction"), c && c.introduction, false));
    var listed = open.areas.map(function (a) { return { id: a.id, title: a.title }; });
    // A comment on an area the questionnaire shown lacks stays editable.
    Object.keys(areas).forEach(function (id) {
      if (!listed.some(function (a) { return a.id === id; })) { listed.push({ id: id, title: id }); }
    });
    fields.appendChild(el("h4", {}, t("jsAreaComments")));
    fields.appendChild(el("p", { "class": "help" }, t("jsAreaCommentsHelp")));
    listed.forEach(function (a) {
      var text = areas[a.id];
      var has = !!(text && (text.en || text.fr));
      var det = el("details", { "data-area": a.id, open: has ? "open" : null });
      det.appendChild(el("summary", {}, a.title + (has ? " – " + t("jsCommented") : "")));
      det.appendChild(textPair("cm-" + a.id, "/areas/" + a.id, fmtMsg("jsCommentOn", { area: a.title }), text, true));
      fields.appendChild(det);
    });
    open.loaded = canonical(c);
    dirty = false;
  }

  function pairValue(fs) {
    var v = {};
    fs.querySelectorAll("textarea").forEach(function (ta) {
      var s = ta.value.trim();
      if (s) { v[ta.getAttribute("data-lang")] = s; }
    });
    return v.en || v.fr ? v : null;
  }

  // commentary is the form as the API takes it: the texts written, the
  // empty ones left out (which removes them).
  function commentary() {
    var body = {};
    var intro = pairValue(fields.querySelector('[data-pointer="/introduction"]'));
    if (intro) { body.introduction = intro; }
    fields.querySelectorAll("details[data-area]").forEach(function (det) {
      var v = pairValue(det.querySelector("fieldset"));
      if (v) {
        body.areas = body.areas || {};
        body.areas[det.getAttribute("data-area")] = v;
      }
    });
    return body;
  }

  // reread gives the report as stored now.
  async function reread(o) {
    var r = await call("GET", "cities/" + o.cityId + "/reports", { headers: auth() });
    if (rejected(r)) { return null; }
    if (r.status !== 200 || !r.body) { say(status, problemText(r), "error"); return null; }
    return r.body.reports.filter(function (x) { return x.reportId === o.reportId; })[0] || null;
  }

  // conflict says that someone saved another commentary since this one was
  // read, and offers to read theirs or to replace it.
  function conflict(latest) {
    say(status, t("jsCommentaryConflict"), "error");
    var reload = el("button", { type: "button", id: "commentary-reload" }, t("jsCommentaryReload"));
    var mine = el("button", { type: "button", id: "commentary-mine" }, t("jsCommentaryMine"));
    reload.addEventListener("click", function () {
      open.rep = latest;
      render();
      commentaryForm(latest.commentary);
      say(status, t("jsCommentaryReloaded"));
      preview();
      var first = fields.querySelector("textarea");
      if (first) { first.focus(); }
    });
    mine.addEventListener("click", function () {
      open.loaded = canonical(latest.commentary);
      form.requestSubmit();
    });
    var p = status.appendChild(el("p", { "class": "actions" }));
    p.appendChild(reload);
    p.appendChild(document.createTextNode(" "));
    p.appendChild(mine);
    reload.focus();
  }

  form.addEventListener("input", function () { dirty = true; });
  form.addEventListener("submit", async function (ev) {
    ev.preventDefault();
    var o = open;
    if (!o || saving) { return; }
    clearErrors(form);
    var body = JSON.stringify(commentary());
    saving = true;
    saveButton.disabled = true;
    say(status, t("jsSending"));
    var r;
    try {
      // The API takes no If-Match: a commentary replaces the one stored,
      // whoever wrote it. So that a colleague's, saved since this page
      // read it, is not lost unseen, it is read again first.
      var latest = await reread(o);
      if (open !== o || !latest) { return; }
      if (latest.status !== "draft") {
        o.rep = latest;
        render();
        say(status, t("jsAlreadyPublished"), "error");
        return;
      }
      if (canonical(latest.commentary) !== o.loaded) { conflict(latest); return; }
      r = await call("PUT", "admin/cities/" + o.cityId + "/reports/" + o.reportId + "/commentary", { body: body, headers: auth() });
    } catch (e) {
      say(status, t("jsNetwork"), "error");
      return;
    } finally {
      saving = false;
      saveButton.disabled = false;
      if (document.activeElement === document.body) { saveButton.focus(); }
    }
    if (open !== o || rejected(r)) { return; }
    if (r.status === 200 && r.body) {
      o.rep = r.body;
      o.loaded = canonical(r.body.commentary);
      dirty = false;
      say(status, t("jsCommentarySaved"));
      status.firstChild.id = "commentary-saved";
      fields.querySelectorAll("details[data-area]").forEach(function (det) {
        var has = !!pairValue(det.querySelector("fieldset"));
        var a = o.areas.filter(function (x) { return x.id === det.getAttribute("data-area"); })[0];
        det.querySelector("summary").textContent = (a ? a.title : det.getAttribute("data-area")) + (has ? " – " + t("jsCommented") : "");
      });
      preview();
      return;
    }
    showProblem(form, status, r);
    // An error in a folded area unfolds it, so that its field can take the
    // focus.
    var invalid = form.querySelectorAll("[aria-invalid=true]");
    invalid.forEach(function (f) {
      var det = f.closest("details");
      if (det) { det.open = true; }
    });
    if (invalid.length) { invalid[0].focus(); } else { status.focus(); }
  });

  // Publishing, confirmed first: it freezes the report and emails it.
  publishButton.addEventListener("click", function () {
    if (!open) { return; }
    document.getElementById("publish-question").textContent = fmtMsg("jsPublishConfirm", { city: open.rep.cityName }) +
      (dirty ? " " + t("jsPublishUnsaved") : "");
    confirmBox.hidden = false;
    go.focus();
  });
  document.getElementById("publish-cancel").addEventListener("click", function () {
    confirmBox.hidden = true;
    publishButton.focus();
  });
  go.addEventListener("click", async function () {
    var o = open;
    if (!o) { return; }
    go.disabled = true;
    say(status, t("jsSending"));
    var r;
    try {
      r = await call("POST", "admin/cities/" + o.cityId + "/reports/" + o.reportId + "/publish", { headers: auth() });
    } catch (e) {
      say(status, t("jsNetwork"), "error");
      return;
    } finally {
      go.disabled = false;
      confirmBox.hidden = true;
    }
    if (open !== o || rejected(r)) { return; }
    if (r.status !== 200 || !r.body) {
      say(status, problemText(r), "error");
      status.focus();
      return;
    }
    o.rep = r.body;
    dirty = false;
    render();
    say(status, fmtMsg("jsPublished", { city: o.rep.cityName }));
    status.firstChild.id = "report-published";
    status.focus();
    preview();
    awaitDocuments(o);
  });

  // awaitDocuments shows the published report's documents once archived
  // (within seconds), for about a minute.
  async function awaitDocuments(o) {
    for (var i = 0; i < 40 && !o.rep.documentsReady; i++) {
      await new Promise(function (done) { setTimeout(done, i < 5 ? 1000 : 2000); });
      if (open !== o) { return; }
      var rep;
      try { rep = await reread(o); } catch (e) { continue; }
      if (!rep || open !== o) { return; }
      if (rep.documentsReady) {
        o.rep = rep;
        docs.textContent = "";
        docs.appendChild(reportButtons(rep, auth(), status));
      }
    }
  }

  return function route(hash) {
    if (hash === "#reports") { drafts(); return true; }
    var m = /^#report=([a-z2-7]{26})\/([a-z2-7]{26})$/.exec(hash);
    if (m) { openReport(m[1], m[2]); return true; }
    shown++;
    open = null;
    return false;
  };
}
