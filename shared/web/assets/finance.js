// The secretariat's finance: the ledger of a fee year (totals, invoices,
// a CSV export), one invoice with its payments and credit notes and the
// forms to record them, the import of a bank statement, and the annual
// invoicing run. The console (secretariat.js) gives it the token and its
// way of handling a refused token.

var INVOICE_STATUSES = ["open", "overdue", "paid", "credited"];

// key turns an API's value ("bank-statement") into a message name's part.
function key(v) { return String(v).replace(/-/g, "_"); }

function today() {
  var d = new Date();
  return d.getFullYear() + "-" + String(d.getMonth() + 1).padStart(2, "0") + "-" + String(d.getDate()).padStart(2, "0");
}

// field builds a labelled input in a wrapper carrying the body's pointer.
function field(form, id, name, pointer, label, input, help, required) {
  var wrap = el("div", { "class": "field", "data-pointer": pointer });
  var lab = el("label", { "for": id }, t(label) + " ");
  lab.appendChild(el("span", { "class": required ? "req" : "opt" }, "(" + t(required ? "jsRequired" : "jsOptional") + ")"));
  wrap.appendChild(lab);
  if (help) {
    wrap.appendChild(el("p", { "class": "help", id: id + "-help" }, t(help)));
    input.setAttribute("aria-describedby", id + "-help");
  }
  input.id = id;
  input.name = name;
  if (required) { input.required = true; }
  wrap.appendChild(input);
  form.appendChild(wrap);
  return input;
}

// invoicePanel shows one invoice in box, under a heading of level, with the
// forms of a payment (filled with prefill's, if given) and a credit note;
// changed is called after either is recorded, closed when the panel is
// closed.
async function invoicePanel(box, inv, level, auth, rejected, changed, closed, prefill) {
  var h = "h" + level;
  var sub = "h" + (level + 1);
  box.textContent = "";
  box.hidden = false;
  box.setAttribute("data-invoice", inv.invoiceId);
  var title = el(h, { id: box.id + "-title", tabindex: "-1" }, fmtMsg("jsInvoiceTitle", { number: inv.number, buyer: inv.buyer }));
  box.setAttribute("aria-labelledby", title.id);
  box.appendChild(title);
  var out = el("div", { "class": "panel-status", role: "status", "aria-live": "polite" });
  box.appendChild(out);
  var facts = el("dl", { "class": "facts" });
  box.appendChild(facts);
  var docs = el("p");
  box.appendChild(docs);
  box.appendChild(el(sub, {}, t("jsPayments")));
  var payments = el("ul", { "class": "payments" });
  box.appendChild(payments);
  box.appendChild(el(sub, {}, t("jsCreditNotes")));
  var credits = el("ul", { "class": "credit-notes" });
  box.appendChild(credits);

  function show(d) {
    facts.textContent = "";
    var fact = function (k, v, key) {
      facts.appendChild(el("dt", {}, t(k)));
      facts.appendChild(el("dd", { "data-fact": key }, v));
    };
    fact("jsCol_status", t("jsInvoice_" + d.status) + (d.flagged ? " – " + t("jsFlagged") : ""), "status");
    fact("jsCol_feeYear", String(d.feeYear), "feeYear");
    fact("jsCol_issueDate", date(d.issueDate), "issueDate");
    fact("jsCol_dueDate", date(d.dueDate), "dueDate");
    fact("jsCol_total", money(d.total), "total");
    fact("jsCol_paid", money(d.paid), "paid");
    fact("jsCol_credited", money(d.credited), "credited");
    fact("jsCol_outstanding", money(d.outstanding), "outstanding");
    if (d.overpaid && d.overpaid.amount > 0) { fact("jsCol_overpaid", money(d.overpaid), "overpaid"); }
    fact("jsPaymentReference", d.paymentReference, "paymentReference");
    docs.textContent = "";
    docs.appendChild(documentButtons(d, auth(), out));
    payments.textContent = "";
    d.payments.forEach(function (p) {
      payments.appendChild(el("li", {}, fmtMsg("jsPaymentLine", { amount: money(p.amount), date: date(p.receivedOn) }) +
        (p.reference ? " – " + p.reference : "") + " (" + (M["jsSource_" + key(p.source)] ? t("jsSource_" + key(p.source)) : p.source) + ")"));
    });
    if (!d.payments.length) { payments.appendChild(el("li", {}, t("jsNone"))); }
    credits.textContent = "";
    d.creditNotes.forEach(function (c) {
      credits.appendChild(el("li", {}, c.number + ", " + money(c.total) + ", " + date(c.issueDate) + t("jsColon") + c.reason));
    });
    if (!d.creditNotes.length) { credits.appendChild(el("li", {}, t("jsNone"))); }
  }

  // The payment: an amount typed the page's way, converted to cents.
  box.appendChild(el(sub, {}, t("jsRecordPayment")));
  var pay = el("form", { "class": "payment-form", novalidate: "novalidate" });
  var pid = box.id + "-pay";
  var amount = field(pay, pid + "-amount", "amount", "/amount", "jsAmount",
    el("input", { type: "text", inputmode: "decimal", autocomplete: "off", size: 14 }), "jsAmountHelp", true);
  var received = field(pay, pid + "-received", "receivedOn", "/receivedOn", "jsReceivedOn", el("input", { type: "date" }), null, true);
  received.value = today();
  var ref = field(pay, pid + "-reference", "reference", "/reference", "jsPaymentRef", el("input", { type: "text", maxlength: 140 }), null, false);
  if (prefill) {
    amount.value = typed(prefill.amount);
    received.value = prefill.receivedOn;
    ref.value = prefill.reference || "";
  }
  var payButton = pay.appendChild(el("p", { "class": "actions" })).appendChild(el("button", { type: "submit" }, t("jsRecordPaymentButton")));
  box.appendChild(pay);
  var payOnce = new Once();
  pay.addEventListener("submit", async function (ev) {
    ev.preventDefault();
    clearErrors(pay);
    var c = cents(amount.value);
    if (c === null) {
      say(out, t("jsFixErrors"), "error");
      fieldError(amount.closest(".field"), t("jsAmountFormat"));
      amount.focus();
      return;
    }
    var body = { amount: c, receivedOn: received.value };
    if (ref.value.trim()) { body.reference = ref.value.trim(); }
    var r = await send(payOnce, "admin/invoices/" + inv.invoiceId + "/payments", JSON.stringify(body), auth(), out, pay);
    if (document.activeElement === document.body) { payButton.focus(); }
    if (!r || rejected(r)) { return; }
    if (r.status !== 201 || !r.body) { showProblem(pay, out, r); return; }
    show(r.body);
    say(out, fmtMsg(replayed(r) ? "jsPaymentReplayed" : "jsPaymentRecorded",
      { amount: money({ amount: c, currency: "EUR" }), outstanding: money(r.body.outstanding) }));
    out.firstChild.id = box.id + "-recorded";
    changed();
  });
  // The form sent again unchanged is the same submission (a double click,
  // a retry): the server records it once. Edited, it is a new one.
  pay.addEventListener("input", function () { payOnce.forget(); });

  // The credit note: the whole creditable amount, or part of it.
  box.appendChild(el(sub, {}, t("jsIssueCreditNote")));
  var cn = el("form", { "class": "credit-form", novalidate: "novalidate" });
  var cid = box.id + "-cn";
  var cnAmount = field(cn, cid + "-amount", "amount", "/amount", "jsAmount",
    el("input", { type: "text", inputmode: "decimal", autocomplete: "off", size: 14 }), "jsCreditAmountHelp", false);
  var reason = field(cn, cid + "-reason", "reason", "/reason", "jsCreditReason", el("textarea", { rows: 2, maxlength: 500 }), null, true);
  var cnButton = cn.appendChild(el("p", { "class": "actions" })).appendChild(el("button", { type: "submit" }, t("jsIssueCreditNoteButton")));
  box.appendChild(cn);
  var cnOnce = new Once();
  cn.addEventListener("submit", async function (ev) {
    ev.preventDefault();
    clearErrors(cn);
    var body = { reason: reason.value.trim() };
    if (cnAmount.value.trim()) {
      var c = cents(cnAmount.value);
      if (c === null) {
        say(out, t("jsFixErrors"), "error");
        fieldError(cnAmount.closest(".field"), t("jsAmountFormat"));
        cnAmount.focus();
        return;
      }
      body.amount = c;
    }
    var r = await send(cnOnce, "admin/invoices/" + inv.invoiceId + "/credit-notes", JSON.stringify(body), auth(), out, cn);
    if (document.activeElement === document.body) { cnButton.focus(); }
    if (!r || rejected(r)) { return; }
    if (r.status !== 201 || !r.body) { showProblem(cn, out, r); return; }
    show(r.body);
    var last = r.body.creditNotes[r.body.creditNotes.length - 1] || {};
    say(out, fmtMsg(replayed(r) ? "jsCreditNoteReplayed" : "jsCreditNoteIssued",
      { number: last.number || "", amount: money(last.total), outstanding: money(r.body.outstanding) }));
    changed();
  });
  cn.addEventListener("input", function () { cnOnce.forget(); });

  var close = box.appendChild(el("p")).appendChild(el("button", { type: "button", "class": "close" }, t("jsCloseInvoice")));
  close.addEventListener("click", function () {
    box.hidden = true;
    box.textContent = "";
    box.removeAttribute("data-invoice");
    closed();
  });

  say(out, t("jsLoading"));
  var r;
  try {
    r = await call("GET", inv.links.self, { headers: auth() });
  } catch (e) {
    say(out, t("jsNetwork"), "error");
    return;
  }
  if (rejected(r)) { return; }
  if (r.status !== 200 || !r.body) { say(out, problemText(r), "error"); return; }
  say(out, "");
  show(r.body);
  title.focus();
}

// opener is the button of an invoices table that opens the invoice's panel.
function opener(open) {
  return ["jsCol_number", function (inv) {
    var td = el("td", { "class": "id" });
    var b = el("button", { type: "button", "class": "linkish", "data-open": inv.invoiceId,
      "aria-label": fmtMsg("jsOpenInvoice", { number: inv.number }) }, inv.number);
    b.addEventListener("click", function () { open(inv); });
    td.appendChild(b);
    return td;
  }];
}

// initFinance wires the finance view of the console; it gives the
// function that shows it.
function initFinance(auth, rejected) {
  var view = document.getElementById("finance");
  var filters = document.getElementById("ledger-filters");
  var status = document.getElementById("ledger-status");
  var panel = document.getElementById("ledger-invoice");
  var thisYear = new Date().getFullYear();
  var query = { year: thisYear, status: "" };

  for (var y = thisYear + 1; y >= thisYear - 6; y--) {
    filters.elements.year.appendChild(el("option", { value: String(y), selected: y === thisYear ? "selected" : null }, String(y)));
  }
  [""].concat(INVOICE_STATUSES).forEach(function (s) {
    filters.elements.status.appendChild(el("option", { value: s }, s ? t("jsInvoice_" + s) : t("jsAllInvoices")));
  });
  document.getElementById("annual-year").value = String(thisYear);

  function qs(extra) {
    var q = new URLSearchParams({ year: String(query.year) });
    if (query.status) { q.set("status", query.status); }
    Object.keys(extra || {}).forEach(function (k) { q.set(k, extra[k]); });
    return q.toString();
  }

  var shown = {}; // the invoices listed, by id

  function open(inv, prefill) {
    invoicePanel(panel, inv, 3, auth, rejected, load, function () {
      var b = document.querySelector('#ledger [data-open="' + inv.invoiceId + '"]');
      if (b) { b.focus(); }
    }, prefill);
  }

  // load shows the ledger of the year asked for.
  async function load() {
    var r;
    try {
      r = await call("GET", "admin/invoices?" + qs(), { headers: auth() });
    } catch (e) {
      say(status, t("jsNetwork"), "error");
      return;
    }
    if (rejected(r)) { return; }
    if (r.status !== 200 || !r.body) { say(status, problemText(r), "error"); return; }
    var l = r.body;
    shown = {};
    l.invoices.forEach(function (inv) { shown[inv.invoiceId] = inv; });
    var tot = l.totals;
    var dl = document.getElementById("ledger-totals");
    dl.textContent = "";
    [["jsTotal_count", String(tot.count), "count"], ["jsTotal_invoiced", money(tot.invoiced), "invoiced"],
      ["jsTotal_paid", money(tot.paid), "paid"], ["jsTotal_credited", money(tot.credited), "credited"],
      ["jsTotal_outstanding", money(tot.outstanding), "outstanding"], ["jsTotal_overdue", money(tot.overdue), "overdue"],
      ["jsTotal_overpaid", money(tot.overpaid), "overpaid"]].forEach(function (x) {
      dl.appendChild(el("dt", {}, t(x[0])));
      dl.appendChild(el("dd", { "data-total": x[2] }, x[1]));
    });
    var box = document.getElementById("ledger-box");
    box.textContent = "";
    var caption = fmtMsg("jsLedgerCaption", { year: l.year, status: l.status ? t("jsInvoice_" + l.status) : t("jsAllInvoices") });
    if (!l.invoices.length) {
      box.appendChild(el("p", {}, caption + t("jsColon") + t("jsNoInvoicesYet")));
      return;
    }
    box.appendChild(invoiceTable("ledger", caption, l.invoices,
      ["number", "city", "feeYear", "dueDate", "total", "paid", "outstanding", "status"], {
        number: opener(open),
        city: ["jsCol_city", function (inv) {
          var td = el("td");
          td.appendChild(el("a", { href: "#city=" + inv.cityId }, inv.buyer));
          return td;
        }]
      }));
  }

  filters.addEventListener("submit", function (ev) {
    ev.preventDefault();
    query.year = Number(filters.elements.year.value);
    query.status = filters.elements.status.value;
    panel.hidden = true;
    load();
  });
  document.getElementById("export-csv").addEventListener("click", function () {
    download("admin/invoices?" + qs({ format: "csv" }), auth(), fmtMsg("jsLedgerFile", { year: query.year }), status, true);
  });

  // A bank statement: each credit recorded, already recorded or left for
  // a person.
  var stmt = document.getElementById("statement-form");
  var stmtOut = document.getElementById("statement-result");
  stmt.addEventListener("submit", async function (ev) {
    ev.preventDefault();
    clearErrors(stmt);
    var file = stmt.elements.statement.files[0];
    if (!file) {
      fieldError(stmt.querySelector(".field"), t("jsChooseStatement"));
      stmt.elements.statement.focus();
      return;
    }
    var button = stmt.querySelector("button");
    say(stmtOut, t("jsSending"));
    button.disabled = true;
    var r;
    try {
      r = await call("POST", "admin/bank-statements", { body: file, type: "application/xml", headers: auth() });
    } catch (e) {
      say(stmtOut, t("jsNetwork"), "error");
      return;
    } finally {
      button.disabled = false;
      if (document.activeElement === document.body) { button.focus(); }
    }
    if (rejected(r)) { return; }
    if (r.status !== 200 || !r.body) { showProblem(stmt, stmtOut, r); return; }
    statementResult(r.body);
    load();
  });

  function statementResult(res) {
    stmtOut.textContent = "";
    stmtOut.appendChild(el("p", { id: "statement-summary" }, fmtMsg("jsStatementSummary", { id: res.messageId, credits: res.credits,
      recorded: res.recorded.length, already: res.alreadyRecorded.length, unmatched: res.unmatched.length })));
    [["recorded", "jsStmtRecorded"], ["alreadyRecorded", "jsStmtAlready"], ["unmatched", "jsStmtUnmatched"]].forEach(function (g) {
      var list = res[g[0]];
      if (!list.length) { return; }
      stmtOut.appendChild(el("h4", {}, fmtMsg(g[1], { count: list.length })));
      var ul = el("ul", { id: "statement-" + g[0] });
      list.forEach(function (c) {
        var parts = [money(c.amount), date(c.bookedOn, "short")];
        if (c.debtor) { parts.push(c.debtor); }
        if (c.remittance) { parts.push(fmtMsg("jsQuoted", { text: c.remittance })); }
        if (c.invoiceNumber) { parts.push(c.invoiceNumber); }
        var li = el("li", { "data-entry": c.entryKey }, parts.join(" – "));
        if (g[0] === "unmatched") {
          li.appendChild(document.createTextNode(" (" + (M["jsMatch_" + key(c.match)] ? t("jsMatch_" + key(c.match)) : c.match) +
            (c.problem ? t("jsColon") + c.problem : "") + ")"));
          // The invoices it may pay, among those listed: a person picks one.
          (c.candidates || []).forEach(function (cand) {
            var id = cand.invoiceId;
            var inv = shown[id];
            if (!inv) { return; }
            var b = el("button", { type: "button", "class": "small", "data-candidate": id }, fmtMsg("jsRecordAgainst", { number: inv.number }));
            b.addEventListener("click", function () {
              open(inv, { amount: c.amount.amount, receivedOn: c.bookedOn, reference: c.remittance });
            });
            li.appendChild(document.createTextNode(" "));
            li.appendChild(b);
          });
        }
        ul.appendChild(li);
      });
      stmtOut.appendChild(ul);
    });
    stmtOut.focus();
  }

  // The annual invoicing, confirmed first: it issues and emails invoices.
  var annual = document.getElementById("annual-form");
  var confirmBox = document.getElementById("annual-confirm");
  var annualOut = document.getElementById("annual-result");
  annual.addEventListener("submit", function (ev) {
    ev.preventDefault();
    clearErrors(annual);
    var year = Number(annual.elements.year.value);
    if (!Number.isInteger(year) || year < 2000 || year > 2200) {
      fieldError(annual.querySelector(".field"), t("jsYearFormat"));
      annual.elements.year.focus();
      return;
    }
    document.getElementById("annual-question").textContent = fmtMsg("jsAnnualConfirm", { year: year });
    confirmBox.hidden = false;
    document.getElementById("annual-go").focus();
  });
  document.getElementById("annual-cancel").addEventListener("click", function () {
    confirmBox.hidden = true;
    annual.querySelector("button[type=submit]").focus();
  });
  // The run is asked for (202) and runs in the annual-invoices function:
  // the page follows it until it is finished. A request while another run
  // is in progress (409) follows that one. A retry of the same year reuses
  // the Idempotency-Key, so a double click asks for one run.
  var annualOnce = new Once();
  document.getElementById("annual-go").addEventListener("click", async function () {
    var year = Number(annual.elements.year.value);
    var go = this;
    go.disabled = true;
    say(annualOut, t("jsSending"));
    var r;
    try {
      var body = JSON.stringify({ year: year });
      r = await call("POST", "admin/runs/annual-invoices", { body: body,
        headers: Object.assign({ "Idempotency-Key": annualOnce.keyFor(body) }, auth()) });
      if (rejected(r)) { return; }
      var id = r.status === 202 && r.body ? r.body.runId : r.status === 409 ? runOf(r.headers.get("Location")) : "";
      if (!id) { say(annualOut, problemText(r), "error"); annualOut.focus(); return; }
      if (r.status === 409) { say(annualOut, t("jsRunInProgress")); }
      r = await follow("admin/runs/annual-invoices/" + id, r.status === 202 ? r.body : null);
    } catch (e) {
      say(annualOut, t("jsNetwork"), "error");
      return;
    } finally {
      go.disabled = false;
      confirmBox.hidden = true;
    }
    if (rejected(r)) { return; }
    if (r.status !== 200 || !r.body) { say(annualOut, problemText(r), "error"); annualOut.focus(); return; }
    annualOnce.forget();
    if (r.body.status === "failed") { say(annualOut, fmtMsg("jsRunFailed", { error: r.body.error || "" }), "error"); annualOut.focus(); return; }
    var res = r.body.result || {};
    say(annualOut, fmtMsg("jsAnnualDone", { year: res.year, members: res.members, queued: res.queued, already: res.alreadyInvoiced }));
    annualOut.firstChild.id = "annual-done";
    var missing = res.missingBilling || [];
    if (missing.length) {
      annualOut.appendChild(el("p", {}, fmtMsg("jsAnnualMissing", { count: missing.length })));
      var ul = el("ul", { id: "annual-missing" });
      missing.forEach(function (id) {
        var li = el("li");
        li.appendChild(el("a", { href: "#city=" + id }, id));
        ul.appendChild(li);
      });
      annualOut.appendChild(ul);
      names(ul);
    }
    annualOut.focus();
    if (year === query.year) { load(); }
  });

  // runOf is the run id at the end of a run's Location.
  function runOf(location) { return location ? location.split("/").pop() : ""; }

  // follow polls a run (GET url) until it is finished, as often as its
  // Retry-After says, saying meanwhile whether it is queued or running; it
  // gives the last answer: the finished run, or the problem that stopped it.
  async function follow(url, run) {
    for (;;) {
      if (run) { say(annualOut, t(run.status === "running" ? "jsRunRunning" : "jsRunQueued")); }
      var r = await call("GET", url, { headers: auth() });
      if (r.status !== 200 || !r.body || r.body.status === "succeeded" || r.body.status === "failed") { return r; }
      run = r.body;
      var wait = Number(r.headers.get("Retry-After")) || 2;
      await new Promise(function (done) { setTimeout(done, Math.min(wait, 10) * 1000); });
    }
  }

  // names replaces the ids of the cities listed in ul by their names.
  function names(ul) {
    ul.querySelectorAll("a").forEach(async function (a) {
      var id = a.getAttribute("href").slice("#city=".length);
      try {
        var r = await call("GET", "cities/" + id, { headers: auth() });
        if (r.status === 200 && r.body) { a.textContent = r.body.name + " (" + r.body.country + ")"; }
      } catch (e) { /* the id stays */ }
    });
  }

  return function show() {
    view.hidden = false;
    say(status, "");
    load();
  };
}
