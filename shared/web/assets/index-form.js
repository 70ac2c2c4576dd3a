// The INDEX form.
function initIndex() {
  var form = document.getElementById("index-form");
  var box = document.getElementById("questions");
  var status = document.getElementById("form-status");
  var result = document.getElementById("result");
  var link = cityLink(status);
  if (!link) { return; }
  var city = link.city;
  var auth = link.auth;
  var draftURL = "cities/" + city + "/index/draft";
  var version = null;
  var etag = null;
  var questions = []; // every question, in order: {q, node}
  var sent = []; // question ids of the answers last sent, by position
  var once = new Once();
  // The city's published reports, and whether the next is being prepared.
  var reports = initCityReports(link);


  function qid(id) { return "q-" + id.replace(/[^A-Za-z0-9_-]/g, "_"); }

  function renderQuestion(q, parent) {
    var id = qid(q.id);
    var node = el("div", { "class": "q", id: id, "data-question": q.id });
    var help = q.help ? el("p", { "class": "help", id: id + "-help" }, q.help) : null;
    if (q.type === "choice") {
      var fs = el("fieldset", { "aria-describedby": help ? id + "-help" : null });
      fs.appendChild(el("legend", {}, q.text));
      if (help) { fs.appendChild(help); }
      (q.options || []).forEach(function (o) {
        var lab = el("label");
        lab.appendChild(el("input", { type: "radio", name: id, value: o.id }));
        lab.appendChild(document.createTextNode(o.label));
        fs.appendChild(lab);
      });
      node.appendChild(fs);
    } else if (q.type === "percent" || q.type === "number") {
      node.appendChild(el("label", { "for": id + "-in" }, q.text + (q.unit ? " (" + q.unit + ")" : "")));
      if (help) { node.appendChild(help); }
      node.appendChild(el("input", { id: id + "-in", "class": "answer", type: "number", step: "any", min: q.min, max: q.max,
        inputmode: "decimal", "aria-describedby": help ? id + "-help" : null }));
    } else {
      node.appendChild(el("label", { "for": id + "-in" }, q.text));
      if (help) { node.appendChild(help); }
      node.appendChild(el("textarea", { id: id + "-in", "class": "answer", maxlength: 1000, rows: 3,
        "aria-describedby": help ? id + "-help" : null }));
    }
    if (q.evidence) {
      node.appendChild(el("label", { "for": id + "-ev" }, t("jsEvidence")));
      node.appendChild(el("textarea", { id: id + "-ev", "class": "evidence", maxlength: 4000, rows: 2 }));
    }
    parent.appendChild(node);
    questions.push({ q: q, node: node });
  }

  function render(qn) {
    version = qn.version;
    questions = [];
    box.textContent = "";
    if (qn.demographics && qn.demographics.length) {
      var fs = el("fieldset", { id: "area-demographics" });
      fs.appendChild(el("legend", {}, t("jsDemographics")));
      qn.demographics.forEach(function (q) { renderQuestion(q, fs); });
      box.appendChild(fs);
    }
    qn.areas.forEach(function (a) {
      areaTitles[a.id] = a.title;
      var fs = el("fieldset", { id: "area-" + a.id, "data-optional": a.optional ? "true" : null });
      var lg = el("legend", {}, a.title);
      if (a.optional) { lg.appendChild(el("span", { "class": "opt" }, " (" + t("jsOptional") + ")")); }
      fs.appendChild(lg);
      if (a.optional) { fs.appendChild(el("p", { "class": "help" }, t("jsOptionalHelp"))); }
      a.questions.forEach(function (q) { renderQuestion(q, fs); });
      box.appendChild(fs);
    });
    form.hidden = false;
  }

  function fill(answers) {
    var byId = {};
    (answers || []).forEach(function (a) { byId[a.question] = a; });
    questions.forEach(function (x) {
      var a = byId[x.q.id] || {};
      var n = x.node;
      if (x.q.type === "choice") {
        n.querySelectorAll("input[type=radio]").forEach(function (i) { i.checked = i.value === a.option; });
      } else {
        var i = n.querySelector(".answer");
        i.value = x.q.type === "text" ? (a.text || "") : (a.value === undefined || a.value === null ? "" : String(a.value));
      }
      var ev = n.querySelector(".evidence");
      if (ev) { ev.value = a.evidence || ""; }
    });
  }

  function answers() {
    var out = [];
    sent = [];
    questions.forEach(function (x) {
      var n = x.node;
      var a = { question: x.q.id };
      if (x.q.type === "choice") {
        var c = n.querySelector("input[type=radio]:checked");
        if (!c) { return; }
        a.option = c.value;
      } else if (x.q.type === "text") {
        var s = n.querySelector(".answer").value.trim();
        if (!s) { return; }
        a.text = s;
      } else {
        var v = n.querySelector(".answer").value.trim();
        if (v === "") { return; }
        a.value = Number(v);
      }
      var ev = n.querySelector(".evidence");
      if (ev && ev.value.trim()) { a.evidence = ev.value.trim(); }
      out.push(a);
      sent.push(x.q.id);
    });
    return out;
  }

  function showErrors(errs) {
    say(status, t("jsFixErrors"), "error");
    var other = [];
    errs.forEach(function (e) {
      var m = /^\/answers\/(\d+)(\/|$)/.exec(e.pointer || "");
      var id = m ? sent[Number(m[1])] : null;
      if (!id && e.pointer === "/answers") {
        var named = /^([a-z0-9][a-z0-9.-]*): /.exec(e.detail || "");
        if (named) { id = named[1]; }
      }
      var node = id ? document.getElementById(qid(id)) : null;
      if (node) { fieldError(node, e.detail); } else { other.push((e.pointer ? e.pointer + ": " : "") + e.detail); }
    });
    generalErrors(status, other);
    var first = form.querySelector("[aria-invalid=true]");
    if (first) { first.focus(); }
  }

  // Area titles in the page's language, from the questionnaire shown.
  var areaTitles = {};

  // bandLabel words a comparison group's band in the page's language,
  // from its bounds; the API's English label is the fallback.
  function bandLabel(g) {
    if (g.kind === "all") { return ""; }
    var has = function (x) { return typeof x === "number"; };
    if (!has(g.min) && !has(g.max)) { return g.label || ""; }
    var write = g.kind === "foreignBorn" ? percent : number;
    var v = { min: has(g.min) ? write(g.min) : "", max: has(g.max) ? write(g.max) : "", unit: t("jsUnit" + g.kind) };
    return fmtMsg(!has(g.min) ? "jsBandUnder" : !has(g.max) ? "jsBandOver" : "jsBandBetween", v);
  }

  // showResult renders a scored submission: the composites, each area
  // beside the averages of the city's comparison groups, and its ranks.
  function showResult(box, title, sub) {
    var res = sub.result;
    var standings = sub.standings || [];
    box.textContent = "";
    box.appendChild(el("h2", {}, title));
    box.appendChild(el("p", {}, fmtMsg("jsSubmittedOn", { version: sub.version, date: date(sub.submittedAt) })));
    var dl = el("dl", { "class": "scores" });
    [["jsAggregate", res.aggregate, "aggregate"], ["jsLens", res.lens, "lens"]].concat(
      res.extended !== res.aggregate ? [["jsExtended", res.extended, "extended"]] : []
    ).forEach(function (x) {
      dl.appendChild(el("dt", {}, t(x[0])));
      dl.appendChild(el("dd", { id: "score-" + x[2] }, percent(x[1])));
    });
    box.appendChild(dl);

    box.appendChild(el("h3", {}, t("jsStandings")));
    var ul = el("ul", { id: "standings" });
    standings.forEach(function (s) {
      var li = el("li", { "data-group": s.group.key });
      li.appendChild(el("strong", {}, t("jsGroup" + s.group.kind)));
      var band = bandLabel(s.group);
      li.appendChild(document.createTextNode((band ? " (" + band + ")" : "") + t("jsColon") +
        fmtMsg("jsRank", { rank: s.rank, of: s.of, average: percent(s.average) })));
      ul.appendChild(li);
    });
    box.appendChild(ul);

    var table = el("table", { id: "area-scores" });
    var head = el("tr");
    head.appendChild(el("th", { scope: "col" }, t("jsArea")));
    head.appendChild(el("th", { scope: "col" }, t("jsYourScore")));
    standings.forEach(function (s) { head.appendChild(el("th", { scope: "col" }, t("jsGroup" + s.group.kind))); });
    table.appendChild(el("thead")).appendChild(head);
    var body = el("tbody");
    res.areas.forEach(function (a) {
      var tr = el("tr", { "data-area": a.area });
      tr.appendChild(el("th", { scope: "row" }, (areaTitles[a.area] || a.area) + (a.optional ? " (" + t("jsOptional") + ")" : "")));
      tr.appendChild(el("td", {}, score(a.score)));
      standings.forEach(function (s) { tr.appendChild(el("td", {}, score((s.areaAverages || {})[a.area]))); });
      body.appendChild(tr);
    });
    table.appendChild(body);
    box.appendChild(stacked(table));
    box.appendChild(el("p", { "class": "help" }, t("jsAverages")));
    box.hidden = false;
  }

  // latest shows the city's latest scored INDEX, if it has one.
  async function latest() {
    var r = await call("GET", "cities/" + city, { headers: auth });
    var l = r.status === 200 && r.body && r.body.latestIndex;
    if (!l) { return; }
    r = await call("GET", l.links.submission, { headers: auth });
    if (r.status === 200 && r.body && r.body.status === "scored") {
      showResult(document.getElementById("latest"), t("jsLatestTitle"), r.body);
    }
  }

  // awaitScore polls a submission until it is scored, for about a minute.
  async function awaitScore(href) {
    var box = document.getElementById("result");
    for (var i = 0; i < 40; i++) {
      await new Promise(function (done) { setTimeout(done, i < 5 ? 500 : 1500); });
      var r;
      try { r = await call("GET", href, { headers: auth }); } catch (e) { continue; }
      if (r.status === 200 && r.body && r.body.status === "scored") {
        document.getElementById("latest").hidden = true;
        say(status, "");
        showResult(box, t("jsResultTitle"), r.body);
        box.focus();
        reports();
        return;
      }
      if (r.status !== 200) { break; }
    }
    say(status, t("jsScoringLater"));
  }

  async function loadDraft() {
    var r = await call("GET", draftURL, { headers: auth });
    if (refused(r, status)) { return undefined; }
    if (r.status === 404) { etag = null; return null; }
    if (r.status !== 200 || !r.body) { say(status, problemText(r), "error"); return undefined; }
    etag = r.headers.get("ETag");
    return r.body;
  }

  async function load() {
    say(status, t("jsLoading"));
    var draft;
    try {
      draft = await loadDraft();
      if (draft === undefined) { return; }
      var path = draft ? "questionnaire/" + encodeURIComponent(draft.version) : "questionnaire";
      var r = await call("GET", path + "?lang=" + lang);
      if (r.status !== 200 || !r.body) { say(status, problemText(r), "error"); return; }
      render(r.body);
    } catch (e) {
      say(status, t("jsNetwork"), "error");
      return;
    }
    fill(draft ? draft.answers : []);
    say(status, t(draft ? "jsDraftLoaded" : "jsNoDraft"));
    try { await latest(); } catch (e) { /* the form works without it */ }
  }

  async function reload() {
    clearErrors(form);
    try {
      var draft = await loadDraft();
      if (draft === undefined) { return; }
      fill(draft ? draft.answers : []);
      say(status, t(draft ? "jsDraftLoaded" : "jsNoDraft"));
    } catch (e) {
      say(status, t("jsNetwork"), "error");
    }
  }

  function busy(on) { form.querySelectorAll("button").forEach(function (b) { b.disabled = on; }); }

  document.getElementById("save-draft").addEventListener("click", async function () {
    clearErrors(form);
    say(result, "");
    var body = JSON.stringify({ version: version, answers: answers() });
    var headers = Object.assign({}, auth);
    if (etag) { headers["If-Match"] = etag; }
    say(status, t("jsSending"));
    busy(true);
    var r;
    try {
      r = await call("PUT", draftURL, { body: body, headers: headers });
    } catch (e) {
      say(status, t("jsNetwork"), "error");
      return;
    } finally {
      busy(false);
    }
    if (r.status === 200 || r.status === 201) {
      etag = r.headers.get("ETag");
      say(status, t("jsDraftSaved"));
      status.firstChild.id = "draft-saved";
      return;
    }
    if (refused(r, status)) { return; }
    if (r.status === 412 || r.status === 428) {
      say(status, t("jsConflict"), "error");
      var b = el("button", { type: "button", id: "reload-draft" }, t("jsReload"));
      b.addEventListener("click", reload);
      status.appendChild(b);
      b.focus();
      return;
    }
    var errs = (r.body && r.body.errors) || [];
    if (r.status === 400 && errs.length) { showErrors(errs); return; }
    say(status, problemText(r), "error");
  });

  form.addEventListener("submit", async function (ev) {
    ev.preventDefault();
    clearErrors(form);
    say(result, "");
    var list = answers();
    if (!list.length) { say(status, t("jsUnanswered"), "error"); return; }
    var body = JSON.stringify({ version: version, answers: list });
    var r = await send(once, "cities/" + city + "/index/submissions", body, auth, status, form);
    if (!r) { return; }
    if (r.status === 202 && r.body) {
      var href = (r.body.links && r.body.links.submission) || r.headers.get("Location") || "";
      result.appendChild(el("p", { id: "submitted" }, t("jsSubmitted")));
      result.appendChild(el("p", { id: "submission-ref" }, t("jsSubmission") + " " + r.body.submissionId));
      form.hidden = true;
      say(status, t("jsScoring"));
      awaitScore(href);
      return;
    }
    if (refused(r, status)) { return; }
    var errs = (r.body && r.body.errors) || [];
    if (r.status === 400 && errs.length) { showErrors(errs); return; }
    say(status, problemText(r), "error");
  });

  load();
}

initIndex();
