// A city's invoices page, opened from its personal link: its invoices with
// their status and balance, their PDF and e-invoice, and the billing
// details its invoices are issued with.
function initInvoices() {
  var status = document.getElementById("form-status");
  var link = cityLink(status);
  if (!link) { return; }
  var list = document.getElementById("inv-list");
  var downloads = document.getElementById("inv-downloads");
  var billingStatus = document.getElementById("billing-status");
  var waits = document.getElementById("inv-waits");
  var city = null;

  async function loadCity() {
    var r = await call("GET", "cities/" + link.city, { headers: link.auth });
    if (refused(r, status)) { return false; }
    if (r.status !== 200 || !r.body) { say(status, problemText(r), "error"); return false; }
    city = r.body;
    var p = document.getElementById("inv-city");
    p.textContent = fmtMsg("jsInvCity", { name: city.name, country: city.country });
    p.hidden = false;
    return true;
  }

  // loadInvoices shows the city's invoices and gives them, or null.
  async function loadInvoices() {
    var r = await call("GET", "cities/" + link.city + "/invoices", { headers: link.auth });
    if (refused(r, status)) { return null; }
    if (r.status !== 200 || !r.body) { say(status, problemText(r), "error"); return null; }
    var l = r.body;
    var box = document.getElementById("inv-table");
    box.textContent = "";
    document.getElementById("inv-balance").textContent = fmtMsg("jsBalance", { amount: money(l.outstanding) });
    if (!l.invoices.length) {
      box.appendChild(el("p", { id: "inv-none" }, t("jsNoInvoices")));
    } else {
      box.appendChild(invoiceTable("invoices", t("jsInvCaption"), l.invoices,
        ["number", "feeYear", "dueDate", "total", "paid", "outstanding", "status", "documents"], {
          number: ["jsCol_number", function (inv) {
            var td = el("td", { "class": "id" }, inv.number);
            td.appendChild(el("span", { "class": "ref" }, t("jsPaymentReference") + t("jsColon") + inv.paymentReference));
            return td;
          }],
          documents: ["jsCol_documents", function (inv) {
            var td = el("td");
            td.appendChild(documentButtons(inv, link.auth, downloads));
            return td;
          }]
        }));
    }
    list.hidden = false;
    return l.invoices;
  }

  // awaitInvoices reloads the list, for about a minute, until more than
  // before are issued and their documents ready (the billing function
  // issues and archives them within seconds).
  async function awaitInvoices(before) {
    for (var i = 0; i < 40; i++) {
      await new Promise(function (done) { setTimeout(done, i < 5 ? 1000 : 2000); });
      var l;
      try { l = await loadInvoices(); } catch (e) { continue; }
      if (!l) { return; }
      if (l.length > before && l.every(function (inv) { return inv.documentsReady; })) {
        say(downloads, fmtMsg("jsInvoicesIssued", { count: l.length - before }));
        return;
      }
    }
  }

  function showBilling() {
    waits.hidden = !waitsForBilling(city);
    var box = document.getElementById("billing-box");
    box.textContent = "";
    box.appendChild(billingForm("billing", link.city, city.billing || null, link.auth, billingStatus, function (b, r) {
      if (!b) { refused(r, billingStatus); return; }
      var waited = waitsForBilling(city);
      city.billing = b;
      waits.hidden = true;
      if (waited) {
        say(billingStatus, t("jsBillSaved") + " " + t("jsInvoicesComing"));
        var rows = document.querySelectorAll("#invoices tbody tr").length;
        awaitInvoices(rows);
      }
    }));
    document.getElementById("inv-billing").hidden = false;
  }

  (async function () {
    say(status, t("jsLoading"));
    try {
      if (!(await loadCity())) { return; }
      var l = await loadInvoices();
      if (!l) { return; }
      showBilling();
      say(status, "");
      var pending = l.filter(function (inv) { return !inv.documentsReady; }).length;
      if (pending) { awaitInvoices(l.length - pending); }
    } catch (e) {
      say(status, t("jsNetwork"), "error");
    }
  })();
}

initInvoices();
