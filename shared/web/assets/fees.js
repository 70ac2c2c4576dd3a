// Fees, as a city's invoices page and the secretariat's console show them:
// amounts and statuses in the page's language, amounts typed the local way,
// tables of invoices, and documents fetched with the token and offered as
// downloads (the token is in no cookie, so a plain link would not do).

// money writes {amount: cents, currency} as the server writes it (package
// i18n): "5 000,00 €" in French, "€5,000.00" in English.
var moneys = {};
function money(m) {
  if (!m || typeof m.amount !== "number") { return "–"; }
  var c = m.currency || "EUR";
  if (!moneys[c]) { moneys[c] = new Intl.NumberFormat(lang, { style: "currency", currency: c }); }
  return moneys[c].format(m.amount / 100);
}

// cents reads an amount of euros typed the page's way into integer cents,
// exactly (no floating point): French "1 234,56" (spaces group thousands,
// a comma before the cents; a point is taken for the comma), English
// "1,234.56" (commas group thousands by three); a euro sign or EUR may stand
// on either side. Anything else, or nothing above zero, gives null.
function cents(text) {
  var s = String(text || "").replace(/[\s\u00a0\u202f]+/g, " ").trim()
    .replace(/^(€|EUR)\s?|\s?(€|EUR)$/gi, "").trim();
  var m = lang === "fr" ?
    /^(\d{1,3}(?: \d{3})+|\d+)(?:[,.](\d{1,2}))?$/.exec(s) :
    /^(\d{1,3}(?:,\d{3})+|\d+)(?:\.(\d{1,2}))?$/.exec(s);
  if (!m) { return null; }
  var units = m[1].replace(/[ ,]/g, "");
  if (units.length > 11) { return null; }
  var n = Number(units) * 100 + Number(((m[2] || "") + "00").slice(0, 2));
  return n > 0 ? n : null;
}

// typed writes cents as a person types them on this page: "2 000,50",
// "2,000.50" (a form filled in from a bank statement's credit).
function typed(n) {
  return new Intl.NumberFormat(lang, { minimumFractionDigits: 2, maximumFractionDigits: 2 }).format(n / 100)
    .replace(/[\u00a0\u202f]/g, " ");
}

// replayed says whether the server answered a submission it had recorded
// already, under the same Idempotency-Key.
function replayed(r) { return r.headers.get("Idempotent-Replayed") === "true"; }

// showProblem says what a refused request got wrong, each field's error
// next to its field.
function showProblem(form, box, r) {
  var errs = (r.body && r.body.errors) || [];
  if (r.status !== 400 || !errs.length) { say(box, problemText(r), "error"); return; }
  say(box, t("jsFixErrors"), "error");
  var other = [];
  errs.forEach(function (e) {
    var wrap = form.querySelector('[data-pointer="' + CSS.escape(e.pointer || "") + '"]');
    if (wrap) { fieldError(wrap, e.detail); } else { other.push((e.pointer ? e.pointer + ": " : "") + e.detail); }
  });
  generalErrors(box, other);
  var first = form.querySelector("[aria-invalid=true]");
  if (first) { first.focus(); }
}

// statusCell words an invoice's status, with the marker of an invoice
// flagged for the secretariat after its final notice.
function statusCell(inv) {
  var td = el("td", { "data-status": inv.status }, t("jsInvoice_" + inv.status));
  if (inv.flagged) {
    td.appendChild(document.createTextNode(" "));
    var f = el("strong", { "class": "flag", "data-flagged": "true" });
    f.appendChild(el("span", { "aria-hidden": "true" }, "⚑ "));
    f.appendChild(document.createTextNode(t("jsFlagged")));
    td.appendChild(f);
  }
  return td;
}

// The columns an invoices table can show: a header and a cell.
var invoiceColumns = {
  number: ["jsCol_number", function (inv) { return el("td", { "class": "id" }, inv.number); }],
  feeYear: ["jsCol_feeYear", function (inv) { return el("td", {}, String(inv.feeYear)); }],
  issueDate: ["jsCol_issueDate", function (inv) { return el("td", {}, date(inv.issueDate, "short")); }],
  dueDate: ["jsCol_dueDate", function (inv) { return el("td", {}, date(inv.dueDate, "short")); }],
  total: ["jsCol_total", function (inv) { return el("td", { "class": "num" }, money(inv.total)); }],
  paid: ["jsCol_paid", function (inv) { return el("td", { "class": "num" }, money(inv.paid)); }],
  outstanding: ["jsCol_outstanding", function (inv) { return el("td", { "class": "num", "data-outstanding": String(inv.outstanding.amount) }, money(inv.outstanding)); }],
  status: ["jsCol_status", statusCell]
};

// invoiceTable builds a table of invoices with the named columns; custom
// gives cells of the page's own ({name: [header, cell]}). Each cell carries
// its header as data-label, which a narrow screen shows beside the value
// (the table then stacks its rows; roles keep it a table to screen readers).
function invoiceTable(id, caption, invoices, names, custom) {
  var cols = names.map(function (n) { return (custom && custom[n]) || invoiceColumns[n]; });
  var table = el("table", { id: id, "class": "stack", role: "table" });
  table.appendChild(el("caption", {}, caption));
  var head = el("tr", { role: "row" });
  cols.forEach(function (c) { head.appendChild(el("th", { scope: "col", role: "columnheader" }, t(c[0]))); });
  table.appendChild(el("thead", { role: "rowgroup" })).appendChild(head);
  var body = el("tbody", { role: "rowgroup" });
  invoices.forEach(function (inv) {
    var tr = el("tr", { role: "row", "data-invoice": inv.invoiceId, "data-number": inv.number });
    cols.forEach(function (c) {
      var td = c[1](inv);
      td.setAttribute("role", "cell");
      td.setAttribute("data-label", t(c[0]));
      tr.appendChild(td);
    });
    body.appendChild(tr);
  });
  table.appendChild(body);
  return table;
}

// download fetches url with headers and hands the file to the browser as a
// download named as the server names it, or name (always when own: a name
// in the page's language); it says in box what became of it.
async function download(url, headers, name, box, own) {
  say(box, t("jsDownloading"));
  var resp;
  try {
    resp = await fetch(url, { headers: Object.assign({ "Accept-Language": lang }, headers), credentials: "omit", cache: "no-store" });
  } catch (e) {
    say(box, t("jsNetwork"), "error");
    return false;
  }
  if (!resp.ok) {
    var body = null;
    try { body = await resp.json(); } catch (e) { body = null; }
    say(box, resp.status === 409 ? t("jsDocumentsLater") : problemText({ status: resp.status, body: body }), "error");
    return false;
  }
  var m = /filename="?([^";]+)"?/.exec(resp.headers.get("Content-Disposition") || "");
  var file = m && !own ? m[1] : name;
  var blob = await resp.blob();
  var href = URL.createObjectURL(blob);
  var a = el("a", { href: href, download: file, hidden: "hidden" });
  document.body.appendChild(a);
  a.click();
  a.remove();
  // The browser reads the blob once the click is handled.
  setTimeout(function () { URL.revokeObjectURL(href); }, 10000);
  say(box, fmtMsg("jsDownloaded", { file: file }));
  return true;
}

// documentButtons offers an invoice's PDF and e-invoice for download, or
// says they are being prepared.
function documentButtons(inv, headers, box) {
  var wrap = el("span", { "class": "docs" });
  if (!inv.documentsReady) {
    wrap.textContent = t("jsDocumentsPending");
    return wrap;
  }
  [["pdf", "jsPDF", "jsDownloadPDF"], ["xml", "jsXML", "jsDownloadXML"]].forEach(function (d) {
    var b = el("button", { type: "button", "class": "small", "data-download": d[0],
      "aria-label": fmtMsg(d[2], { number: inv.number }) }, t(d[1]));
    b.addEventListener("click", function () { download(inv.links[d[0]], headers, inv.number + "." + d[0], box); });
    wrap.appendChild(b);
    wrap.appendChild(document.createTextNode(" "));
  });
  return wrap;
}
