// The secretariat's console: the pipeline and, for a city, its file, its
// timeline, a form for each step its status allows, its invoices and its
// billing details; and the finance view (finance.js). The token stays in
// this tab's sessionStorage.
function initSecretariat() {
  var status = document.getElementById("form-status");
  var signin = document.getElementById("signin");
  var pipeline = document.getElementById("pipeline");
  var cityBox = document.getElementById("city");
  var financeBox = document.getElementById("finance");
  var nav = document.getElementById("console-nav");
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
    financeBox.hidden = which !== "finance";
    signout.hidden = which === "signin";
    // The views of the reports and of the catalogue (review.js, practices.js).
    document.querySelectorAll("main > section.view").forEach(function (v) { v.hidden = v.id !== which; });
    nav.hidden = which === "signin";
    nav.querySelectorAll("a").forEach(function (a) {
      if (a.getAttribute("data-view") === which) { a.setAttribute("aria-current", "page"); } else { a.removeAttribute("aria-current"); }
    });
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
    current = null;
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
    stacked(tbody.parentNode);
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

  // current is the city whose file is shown or being opened: an answer about
  // another, come late, is not shown.
  var current = null;

  async function openCity(id) {
    current = id;
    cityBox.removeAttribute("data-loaded");
    var r = await call("GET", "cities/" + encodeURIComponent(id), { headers: auth() });
    if (current !== id) { return; }
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
    document.getElementById("reports").textContent = "";
    var analytical = cityReportList(document.getElementById("city-analytical"), document.getElementById("city-analytical-status"),
      id, auth(), function () { return current === id; });
    await Promise.all([reports(id), fees(c), analytical]);
    if (current !== id) { return; }
    cityBox.setAttribute("data-loaded", id);
    // Focus goes to the file's heading, unless the reader has already
    // moved on into it (a form opened while the invoices were loading).
    var active = document.activeElement;
    if (!active || active === document.body || !cityBox.contains(active)) { h.focus(); }
  }

  async function reports(id) {
    var rr = await call("GET", "cities/" + encodeURIComponent(id) + "/progress-reports", { headers: auth() });
    if (current !== id) { return; }
    var ul = document.getElementById("reports");
    var reps = (rr.status === 200 && rr.body && rr.body.reports) || [];
    reps.forEach(function (rep) { ul.appendChild(el("li", {}, rep.period + " – " + day(rep.submittedAt) + t("jsColon") + rep.text)); });
    if (!reps.length) { ul.appendChild(el("li", {}, t("jsNone"))); }
  }

  // fees shows the city's invoices and billing details, with the form that
  // records them; a member without them is marked: its invoices wait.
  async function fees(c) {
    var waits = document.getElementById("city-waits");
    var facts = document.getElementById("city-billing");
    var out = document.getElementById("city-billing-status");
    waits.hidden = !waitsForBilling(c);
    billingFacts(facts, c.billing);
    say(out, "");
    var box = document.getElementById("city-billing-form");
    box.textContent = "";
    box.appendChild(billingForm("cb", c.cityId, c.billing || null, auth(), out, function (b, r) {
      if (!b) { rejected(r); return; }
      c.billing = b;
      billingFacts(facts, b);
      waits.hidden = true;
      // Invoices that waited are issued now.
      setTimeout(function () { cityInvoices(c); }, 2000);
    }));
    document.getElementById("city-billing-edit").open = false;
    var panel = document.getElementById("city-invoice");
    panel.hidden = true;
    panel.textContent = "";
    document.getElementById("city-invoices").textContent = "";
    await cityInvoices(c);
  }

  async function cityInvoices(c) {
    var box = document.getElementById("city-invoices");
    var panel = document.getElementById("city-invoice");
    var r = await call("GET", "cities/" + encodeURIComponent(c.cityId) + "/invoices", { headers: auth() });
    if (current !== c.cityId) { return; }
    box.textContent = "";
    if (r.status !== 200 || !r.body) { box.appendChild(el("p", { "class": "error" }, problemText(r))); return; }
    box.appendChild(el("p", { id: "city-balance" }, fmtMsg("jsBalance", { amount: money(r.body.outstanding) })));
    if (!r.body.invoices.length) { box.appendChild(el("p", {}, t("jsNoInvoices"))); return; }
    box.appendChild(invoiceTable("city-invoice-list", t("jsInvCaption"), r.body.invoices,
      ["number", "feeYear", "dueDate", "total", "outstanding", "status"], {
        number: opener(function (inv) {
          invoicePanel(panel, inv, 4, auth, rejected, function () { cityInvoices(c); }, function () {
            var b = box.querySelector('[data-open="' + inv.invoiceId + '"]');
            if (b) { b.focus(); }
          });
        })
      }));
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

  var showFinance = initFinance(auth, rejected);
  function finance() {
    current = null;
    show("finance");
    showFinance();
    document.getElementById("finance-title").focus();
  }

  var reportsRoute = initReview(auth, rejected, show);
  var practicesRoute = initPractices(auth, rejected, show);
  function route() {
    if (reportsRoute(location.hash) || practicesRoute(location.hash)) { current = null; return; }
    var m = /^#city=([a-z2-7]{26})$/.exec(location.hash);
    if (m) { openCity(m[1]); } else if (location.hash === "#finance") { finance(); } else { list(false); }
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

initSecretariat();
