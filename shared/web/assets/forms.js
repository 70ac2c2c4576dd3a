(function () {
  "use strict";
  var M = JSON.parse(document.getElementById("messages").textContent);
  var lang = document.documentElement.lang === "fr" ? "fr" : "en";
  function t(k) { return M[k] || k; }

  function uuid() {
    if (window.crypto && crypto.randomUUID) { return crypto.randomUUID(); }
    var b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 15) | 64;
    b[8] = (b[8] & 63) | 128;
    var h = Array.prototype.map.call(b, function (x) { return (x + 256).toString(16).slice(1); }).join("");
    return h.slice(0, 8) + "-" + h.slice(8, 12) + "-" + h.slice(12, 16) + "-" + h.slice(16, 20) + "-" + h.slice(20);
  }

  // One Idempotency-Key per distinct body: a retry of the same submission
  // reuses it, so the server records it once.
  function Once() { this.body = null; this.key = null; }
  Once.prototype.keyFor = function (body) {
    if (body !== this.body) { this.body = body; this.key = uuid(); }
    return this.key;
  };

  function el(tag, attrs, text) {
    var e = document.createElement(tag);
    Object.keys(attrs || {}).forEach(function (k) {
      if (attrs[k] !== undefined && attrs[k] !== null && attrs[k] !== false) { e.setAttribute(k, attrs[k]); }
    });
    if (text !== undefined) { e.textContent = text; }
    return e;
  }

  function say(box, text, cls) {
    box.textContent = "";
    if (text) { box.appendChild(el("p", { "class": cls || null }, text)); }
  }

  async function call(method, url, opts) {
    opts = opts || {};
    // Problems come worded in the page's language.
    var headers = Object.assign({ "Accept": "application/json", "Accept-Language": lang }, opts.headers || {});
    if (opts.body !== undefined) { headers["Content-Type"] = "application/json"; }
    var resp = await fetch(url, { method: method, headers: headers, body: opts.body, credentials: "omit", cache: "no-store" });
    var body = null;
    var text = await resp.text();
    if (text) { try { body = JSON.parse(text); } catch (e) { body = null; } }
    return { status: resp.status, headers: resp.headers, body: body };
  }

  // send POSTs body under the Idempotency-Key once gives it (a retry of the
  // same body reuses it), with form's buttons disabled meanwhile. On a network
  // failure it says so in box and gives null.
  async function send(once, url, body, headers, box, form) {
    var buttons = form ? form.querySelectorAll("button") : [];
    say(box, t("jsSending"));
    buttons.forEach(function (b) { b.disabled = true; });
    try {
      return await call("POST", url, { body: body, headers: Object.assign({ "Idempotency-Key": once.keyFor(body) }, headers || {}) });
    } catch (e) {
      say(box, t("jsNetwork"), "error");
      return null;
    } finally {
      buttons.forEach(function (b) { b.disabled = false; });
    }
  }

  // date words an ISO date or time in the page's language ("27 November
  // 2026"; month "short": "27 Nov 2026"); what is not a date stays as it is.
  function date(iso, month) {
    var d = new Date(iso);
    var opts = { year: "numeric", month: month || "long", day: "numeric" };
    // A calendar date (YYYY-MM-DD) is read as midnight UTC: written in UTC,
    // it stays the same day wherever the reader is.
    if (/^\d{4}-\d{2}-\d{2}$/.test(iso)) { opts.timeZone = "UTC"; }
    return isNaN(d) ? iso : d.toLocaleDateString(lang, opts);
  }

  // number, percent and score write numbers in the page's language with the
  // browser's Intl, as the server writes them (package i18n): "150 000",
  // "68,8 %", "68,8" in French; "150,000", "68.8%", "68.8" in English.
  var numbers = new Intl.NumberFormat(lang);
  var percents = new Intl.NumberFormat(lang, { style: "percent", minimumFractionDigits: 1, maximumFractionDigits: 1 });
  var scores = new Intl.NumberFormat(lang, { minimumFractionDigits: 1, maximumFractionDigits: 1 });
  function number(x) { return typeof x === "number" ? numbers.format(x) : "–"; }
  function percent(x) { return typeof x === "number" ? percents.format(x / 100) : "–"; }
  function score(x) { return typeof x === "number" ? scores.format(x) : "–"; }

  function fmtMsg(key, vals) {
    return t(key).replace(/\{(\w+)\}/g, function (m, k) { return vals[k] === undefined ? m : String(vals[k]); });
  }

  function problemText(r) {
    var p = r.body || {};
    return t("jsError") + " " + (p.detail || p.title || ("HTTP " + r.status));
  }

  function clearErrors(root) {
    root.querySelectorAll(".field-error").forEach(function (e) { e.remove(); });
    root.querySelectorAll("[aria-invalid]").forEach(function (e) {
      e.removeAttribute("aria-invalid");
      var d = (e.getAttribute("aria-describedby") || "").split(" ").filter(function (id) { return id.indexOf("-error") < 0; });
      if (d.length) { e.setAttribute("aria-describedby", d.join(" ")); } else { e.removeAttribute("aria-describedby"); }
    });
  }

  // fieldError shows msg inside container, next to its inputs, and links
  // them to it for assistive technology.
  function fieldError(container, msg) {
    var id = (container.id || ("f" + Math.random().toString(36).slice(2))) + "-error";
    if (!container.id) { container.id = id.slice(0, -6); }
    var p = document.getElementById(id);
    if (!p) {
      p = el("p", { "class": "error field-error", id: id });
      container.appendChild(p);
    }
    p.textContent = p.textContent ? p.textContent + " " + msg : msg;
    var inputs = container.matches("input,textarea,select") ? [container] : container.querySelectorAll("input,textarea,select");
    inputs.forEach(function (i) {
      i.setAttribute("aria-invalid", "true");
      var d = i.getAttribute("aria-describedby");
      if (!d || d.indexOf(id) < 0) { i.setAttribute("aria-describedby", ((d || "") + " " + id).trim()); }
    });
    return p;
  }

  function generalErrors(box, list) {
    if (!list.length) { return; }
    box.appendChild(el("p", {}, t("jsGeneral")));
    var ul = el("ul");
    list.forEach(function (m) { ul.appendChild(el("li", {}, m)); });
    box.appendChild(ul);
  }

  // The application form.
  function initApply() {
    var form = document.getElementById("apply-form");
    var status = document.getElementById("form-status");
    var result = document.getElementById("result");
    var once = new Once();
    function val(name) { return form.elements[name].value.trim(); }
    function num(name) { var s = val(name); return s === "" ? undefined : Number(s); }
    form.addEventListener("submit", async function (ev) {
      ev.preventDefault();
      clearErrors(form);
      say(result, "");
      var checked = form.querySelector("input[name=language]:checked");
      var app = {
        cityName: val("cityName"), country: val("country").toUpperCase(), population: num("population"),
        foreignBornShare: num("foreignBornShare"), foreignResidentShare: num("foreignResidentShare"),
        nationalMinorityShare: num("nationalMinorityShare"),
        contact: { name: val("contactName"), email: val("contactEmail") },
        language: checked ? checked.value : lang
      };
      var body = JSON.stringify(app);
      var r = await send(once, "applications", body, {}, status, form);
      if (!r) { return; }
      if (r.status === 201 && r.body) {
        say(status, "");
        var v = r.body.eligibility || {};
        result.appendChild(el("p", { id: "verdict", "data-eligible": String(!!v.eligible), "data-city-id": r.body.cityId }, t(v.eligible ? "jsEligible" : "jsIneligible")));
        if (!v.eligible && v.reasons && v.reasons.length) {
          result.appendChild(el("p", {}, t("jsReasons")));
          var ul = el("ul");
          v.reasons.forEach(function (x) { ul.appendChild(el("li", {}, x.message)); });
          result.appendChild(ul);
        }
        result.appendChild(el("p", {}, t("jsCityId") + " " + r.body.cityId));
        form.hidden = true;
        result.focus();
        return;
      }
      var errs = (r.body && r.body.errors) || [];
      if (r.status === 409 && errs.length) {
        // The city already has an open file.
        say(status, t("jsAlreadyApplied"), "error");
        var name = form.querySelector('[data-pointer="/cityName"]');
        if (name) { fieldError(name.closest(".field") || name, t("jsAlreadyAppliedField")); name.focus(); }
        return;
      }
      if (r.status === 400 && errs.length) {
        say(status, t("jsFixErrors"), "error");
        var other = [];
        errs.forEach(function (e) {
          var f = form.querySelector('[data-pointer="' + CSS.escape(e.pointer || "") + '"]');
          var c = f && (f.closest(".field") || f);
          if (c) { fieldError(c, e.detail); } else { other.push((e.pointer ? e.pointer + ": " : "") + e.detail); }
        });
        generalErrors(status, other);
        var first = form.querySelector("[aria-invalid=true]");
        if (first) { first.focus(); }
        return;
      }
      say(status, problemText(r), "error");
    });
  }

  // cityLink reads the city and its token from the emailed link
  // (?city=<id>#token=<token>); without them it says so in box.
  function cityLink(box) {
    var token = new URLSearchParams(location.hash.slice(1)).get("token");
    var city = new URLSearchParams(location.search).get("city");
    var sw = document.getElementById("switch-lang");
    if (sw && city) {
      sw.href = "?city=" + encodeURIComponent(city) + "&lang=" + (lang === "fr" ? "en" : "fr") + location.hash;
    }
    if (!token || !city || !/^[a-z2-7]{26}$/.test(city)) {
      say(box, t("jsNoLink"), "error");
      return null;
    }
    // The city's pages, each reached with the same personal link.
    var nav = el("nav", { id: "city-nav", "aria-label": t("jsCityPages") });
    [["index-form", "jsNavIndex", "index"], ["progress-report", "jsNavProgress", "progress"]].forEach(function (p) {
      var here = document.body.getAttribute("data-page") === p[2];
      nav.appendChild(el("a", { href: p[0] + "?city=" + encodeURIComponent(city) + "&lang=" + lang + location.hash,
        "aria-current": here ? "page" : null }, t(p[1])));
    });
    var h1 = document.querySelector("main h1");
    h1.parentNode.insertBefore(nav, h1);
    return { city: city, auth: { "Authorization": "Bearer " + token } };
  }

  // refused says in box why a city's link was refused (401, 403), if it was.
  function refused(r, box) {
    var why = { 401: "jsUnauthorized", 403: "jsForbidden" }[r.status];
    if (why) { say(box, t(why), "error"); }
    return !!why;
  }

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
      box.appendChild(table);
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

  // The secretariat's console: the pipeline and, for a city, its file, its
  // timeline and a form for each step its status allows. The token stays in
  // this tab's sessionStorage.
  function initSecretariat() {
    var status = document.getElementById("form-status");
    var signin = document.getElementById("signin");
    var pipeline = document.getElementById("pipeline");
    var cityBox = document.getElementById("city");
    var signout = document.getElementById("signout");
    var filters = document.getElementById("filters");
    var tbody = document.querySelector("#cities tbody");
    var more = document.getElementById("more");
    var KEY = "icc-secretariat-token";
    var token = sessionStorage.getItem(KEY);
    var query = { status: "" };
    var next = "";
    var STATUSES = ["applied", "index_submitted", "index_reported", "visit_scheduled", "visit_held", "profile_issued",
      "member", "termination_notified", "terminated", "expired", "withdrawn", "declined"];
    var person = function (p) { return { name: p[0].trim(), email: p[1].trim() }; };
    // Each step: its path, its fields and how they make the body.
    var STEPS = {
      intent_signed: { path: "intent", fields: [["signedOn", "date"]] },
      visit_scheduled: { path: "expert-visits", fields: [["scheduledFor", "date"], ["expertName", "text"], ["expertEmail", "email"],
        ["expert2Name", "text"], ["expert2Email", "email"], ["representativeName", "text"], ["representativeEmail", "email"]],
        body: function (v) {
          var experts = [person([v.expertName, v.expertEmail])];
          if (v.expert2Name || v.expert2Email) { experts.push(person([v.expert2Name, v.expert2Email])); }
          return { scheduledFor: v.scheduledFor, experts: experts, representative: person([v.representativeName, v.representativeEmail]) };
        },
        pointers: { "/experts": "expertName", "/experts/0/name": "expertName", "/experts/0/email": "expertEmail",
          "/experts/1/name": "expert2Name", "/experts/1/email": "expert2Email", "/representative": "representativeName",
          "/representative/name": "representativeName", "/representative/email": "representativeEmail" } },
      visit_held: { path: "expert-visits/{visitId}/held", fields: [["heldOn", "date"], ["diagnosis", "textarea"]] },
      profile_issued: { path: "profile", fields: [["title", "text"], ["issuedOn", "date"], ["link", "url"], ["summary", "textarea"]] },
      agreement_signed: { path: "agreement", fields: [["citySignedOn", "date"], ["coeSignedOn", "date"], ["endsOn", "date"]] },
      agreement_amended: { path: "agreement/amendments", fields: [["endsOn", "date"], ["agreedOn", "date"], ["reference", "text"]] },
      termination_notified: { path: "termination", fields: [["by", "select"], ["noticeOn", "date"], ["reason", "textarea"]] },
      withdrawn: { path: "withdrawal", fields: [["reason", "textarea"]] },
      declined: { path: "decline", fields: [["reason", "textarea"]] },
      tokens: { path: "tokens", fields: [] }
    };

    function auth() { return { "Authorization": "Bearer " + token }; }
    // actor words who recorded an event: "city:<id>", "secretariat:<name>",
    // "schedule:daily", "score".
    function actor(a) {
      var kind = a.split(":")[0];
      var who = a.slice(kind.length + 1);
      if (!M["jsActor_" + kind]) { return a; }
      return t("jsActor_" + kind) + (kind === "secretariat" && who ? " – " + who : "");
    }
    function day(iso) { return date(iso, "short"); }
    function show(which) {
      signin.hidden = which !== "signin";
      pipeline.hidden = which !== "pipeline";
      cityBox.hidden = which !== "city";
      signout.hidden = which === "signin";
    }
    // rejected says why a request was refused; on a bad token it signs out.
    function rejected(r) {
      if (r.status === 401) {
        sessionStorage.removeItem(KEY);
        token = null;
        show("signin");
        say(status, t("jsSecBadToken"), "error");
        return true;
      }
      if (r.status === 403) { say(status, t("jsSecNotSecretariat"), "error"); show("signin"); return true; }
      return false;
    }

    async function list(append) {
      var qs = new URLSearchParams({ limit: "50" });
      if (query.status) { qs.set("status", query.status); }
      if (query.country) { qs.set("country", query.country); }
      if (query.q) { qs.set("q", query.q); }
      if (append && next) { qs.set("cursor", next); }
      clearErrors(filters);
      var r = await call("GET", "admin/cities?" + qs.toString(), { headers: auth() });
      if (rejected(r)) { return; }
      if (r.status !== 200 || !r.body) {
        var errs = (r.body && r.body.errors) || [];
        errs.forEach(function (e) {
          var f = filters.querySelector('[data-pointer="' + CSS.escape(e.pointer || "") + '"]');
          if (f) { fieldError(f, e.detail); }
        });
        say(status, problemText(r), "error");
        return;
      }
      say(status, "");
      show("pipeline");
      counts(r.body.counts || {});
      if (!append) { tbody.textContent = ""; }
      r.body.cities.forEach(function (c) {
        var tr = el("tr", { "data-city": c.cityId });
        var td = el("td");
        td.appendChild(el("a", { href: "#city=" + c.cityId }, c.name));
        tr.appendChild(td);
        tr.appendChild(el("td", {}, c.country));
        tr.appendChild(el("td", { "data-status": c.status }, t("jsStatus_" + c.status)));
        tr.appendChild(el("td", {}, t(c.eligible ? "jsYes" : "jsNo")));
        tr.appendChild(el("td", {}, day(c.appliedAt)));
        tbody.appendChild(tr);
      });
      next = r.body.next || "";
      more.hidden = !next;
    }

    function counts(byStatus) {
      var box = document.getElementById("counts");
      box.textContent = "";
      var total = 0;
      STATUSES.forEach(function (st) { total += byStatus[st] || 0; });
      [""].concat(STATUSES).forEach(function (st) {
        var n = st ? (byStatus[st] || 0) : total;
        var b = el("button", { type: "button", "data-status": st, "aria-pressed": String(query.status === st) },
          (st ? t("jsStatus_" + st) : t("jsAllStatuses")) + " (" + n + ")");
        b.addEventListener("click", function () { query.status = st; next = ""; list(false); });
        box.appendChild(b);
      });
    }

    function fact(dl, key, value) {
      if (value === undefined || value === null || value === "") { return; }
      dl.appendChild(el("dt", {}, t(key)));
      dl.appendChild(el("dd", {}, String(value)));
    }

    async function openCity(id) {
      var r = await call("GET", "cities/" + encodeURIComponent(id), { headers: auth() });
      if (rejected(r)) { return; }
      if (r.status !== 200 || !r.body) { say(status, problemText(r), "error"); return; }
      var c = r.body;
      say(status, "");
      show("city");
      var h = document.getElementById("city-name");
      h.textContent = c.name + " (" + c.country + ")";
      var dl = document.getElementById("city-facts");
      dl.textContent = "";
      fact(dl, "jsFact_status", t("jsStatus_" + c.status));
      fact(dl, "jsFact_contact", c.contact.name + " <" + c.contact.email + ">");
      fact(dl, "jsFact_population", number(c.population));
      fact(dl, "jsFact_shares", [c.foreignBornShare, c.foreignResidentShare, c.nationalMinorityShare].map(percent).join(" / "));
      // The reasons come worded in the page's language (Accept-Language).
      fact(dl, "jsFact_eligibility", c.eligibility.eligible ? t("jsYes") :
        t("jsNo") + t("jsColon") + (c.eligibility.reasons || []).map(function (x) { return x.message; }).join(" ; "));
      if (c.latestIndex) { fact(dl, "jsFact_index", percent(c.latestIndex.aggregate) + " (" + c.latestIndex.version + ", " + day(c.latestIndex.submittedAt) + ")"); }
      if (c.intentSignedOn) { fact(dl, "jsFact_intent", day(c.intentSignedOn)); }
      if (c.expertVisit) {
        var v = c.expertVisit;
        fact(dl, "jsFact_visit", day(v.scheduledFor) + " – " + v.experts.map(function (e) { return e.name; }).join(", ") + ", " + v.representative.name +
          (v.heldOn ? " – " + t("jsF_heldOn") + " " + day(v.heldOn) + t("jsColon") + v.diagnosis : ""));
      }
      if (c.profile) { fact(dl, "jsFact_profile", c.profile.title + " (" + day(c.profile.issuedOn) + ")"); }
      if (c.agreement) { fact(dl, "jsFact_agreement", day(c.agreement.inForceFrom) + " – " + day(c.agreement.endsOn)); }
      if (c.termination) { fact(dl, "jsFact_termination", day(c.termination.noticeOn) + " → " + day(c.termination.effectiveOn) + t("jsColon") + c.termination.reason); }
      fact(dl, "jsFact_previous", c.previousCityId);
      steps(c);
      var ol = document.getElementById("timeline");
      ol.textContent = "";
      // Each event is worded from its type in the page's language; of its
      // detail, only what a person typed (why a city withdrew or was
      // declined) is shown: the rest repeats the facts above.
      (c.timeline || []).slice().reverse().forEach(function (e) {
        var what = M["jsEvent_" + e.type] ? t("jsEvent_" + e.type) : e.to ? t("jsStatus_" + e.to) : e.type;
        var typed = (e.type === "withdrawn" || e.type === "declined") && e.detail ? t("jsColon") + e.detail : "";
        ol.appendChild(el("li", { "data-event": e.type }, day(e.at) + " – " + what + typed + " (" + actor(e.actor) + ")"));
      });
      var rr = await call("GET", "cities/" + encodeURIComponent(id) + "/progress-reports", { headers: auth() });
      var ul = document.getElementById("reports");
      ul.textContent = "";
      var reps = (rr.status === 200 && rr.body && rr.body.reports) || [];
      reps.forEach(function (rep) { ul.appendChild(el("li", {}, rep.period + " – " + day(rep.submittedAt) + t("jsColon") + rep.text)); });
      if (!reps.length) { ul.appendChild(el("li", {}, t("jsNone"))); }
      h.focus();
    }

    function steps(c) {
      var box = document.getElementById("steps");
      box.textContent = "";
      // The path's next step first, then the others, the closing ones last.
      var order = ["visit_scheduled", "visit_held", "profile_issued", "agreement_signed", "intent_signed",
        "termination_notified", "withdrawn", "declined", "tokens"];
      var possible = (c.nextSteps || []).filter(function (s) { return STEPS[s]; });
      var ended = ["terminated", "expired", "withdrawn", "declined"].indexOf(c.status) >= 0;
      if (!ended) { possible.push("tokens"); }
      possible.sort(function (a, b) { return order.indexOf(a) - order.indexOf(b); });
      if (!possible.length) { box.appendChild(el("p", {}, t("jsNoSteps"))); return; }
      possible.forEach(function (name) { box.appendChild(stepForm(c, name)); });
    }

    function stepForm(c, name) {
      var def = STEPS[name];
      var det = el("details", { "data-step": name });
      det.appendChild(el("summary", {}, t("jsStep_" + name)));
      var form = el("form", { novalidate: "novalidate" });
      var once = new Once();
      def.fields.forEach(function (f) {
        var id = "s-" + name + "-" + f[0];
        var wrap = el("div", { "class": "field", "data-field": f[0] });
        wrap.appendChild(el("label", { "for": id }, t("jsF_" + f[0])));
        var input;
        if (f[1] === "textarea") {
          input = el("textarea", { id: id, name: f[0], rows: 3 });
        } else if (f[1] === "select") {
          input = el("select", { id: id, name: f[0] });
          ["city", "coe"].forEach(function (o) { input.appendChild(el("option", { value: o }, t("jsBy_" + o))); });
        } else {
          input = el("input", { id: id, name: f[0], type: f[1] });
        }
        wrap.appendChild(input);
        form.appendChild(wrap);
      });
      var out = el("div", { role: "status", "aria-live": "polite" });
      form.appendChild(el("p", { "class": "actions" })).appendChild(el("button", { type: "submit" }, t("jsRecord")));
      form.appendChild(out);
      form.addEventListener("submit", async function (ev) {
        ev.preventDefault();
        clearErrors(form);
        var v = {};
        def.fields.forEach(function (f) { v[f[0]] = form.elements[f[0]].value.trim(); });
        var body = def.body ? def.body(v) : {};
        if (!def.body) { Object.keys(v).forEach(function (k) { if (v[k] !== "") { body[k] = v[k]; } }); }
        var json = JSON.stringify(body);
        var path = def.path.replace("{visitId}", c.expertVisit ? c.expertVisit.visitId : "");
        var r = await send(once, "admin/cities/" + c.cityId + "/" + path, json, auth(), out, form);
        if (!r) { return; }
        if (rejected(r)) { return; }
        if (r.status === 200 || r.status === 201) {
          say(status, t("jsRecorded"));
          await openCity(c.cityId);
          return;
        }
        say(out, problemText(r), "error");
        var other = [];
        ((r.body && r.body.errors) || []).forEach(function (e) {
          var field = (def.pointers && def.pointers[e.pointer]) || (e.pointer || "").replace(/^\//, "");
          var wrap = form.querySelector('[data-field="' + CSS.escape(field) + '"]');
          if (wrap) { fieldError(wrap, e.detail); } else { other.push((e.pointer ? e.pointer + ": " : "") + e.detail); }
        });
        generalErrors(out, other);
      });
      det.appendChild(form);
      return det;
    }

    function route() {
      var m = /^#city=([a-z2-7]{26})$/.exec(location.hash);
      if (m) { openCity(m[1]); } else { list(false); }
    }

    signin.addEventListener("submit", function (ev) {
      ev.preventDefault();
      token = signin.elements.token.value.trim();
      if (!token) { return; }
      sessionStorage.setItem(KEY, token);
      signin.elements.token.value = "";
      route();
    });
    signout.addEventListener("click", function () {
      sessionStorage.removeItem(KEY);
      token = null;
      say(status, "");
      show("signin");
    });
    filters.addEventListener("submit", function (ev) {
      ev.preventDefault();
      query.country = filters.elements.country.value.trim().toUpperCase();
      query.q = filters.elements.q.value.trim();
      next = "";
      list(false);
    });
    more.addEventListener("click", function () { list(true); });
    document.getElementById("back").addEventListener("click", function (ev) {
      ev.preventDefault();
      history.pushState(null, "", location.pathname + location.search);
      list(false);
    });
    window.addEventListener("hashchange", function () { if (token) { route(); } });
    if (token) { route(); } else { show("signin"); }
  }

  var page = document.body.getAttribute("data-page");
  if (page === "apply") { initApply(); }
  if (page === "index") { initIndex(); }
  if (page === "progress") { initProgress(); }
  if (page === "secretariat") { initSecretariat(); }
})();
