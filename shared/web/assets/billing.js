// A city's billing details: the buyer on its invoices, recorded by the
// city on its invoices page or by the secretariat in the city's file
// (PUT cities/{id}/billing). An issued invoice keeps the details it was
// issued with; the next ones take these.

// The fields: name, pointer in the body, input type, required, extra
// attributes.
var billingFields = [
  ["legalName", "/legalName", "text", true, { maxlength: 200, autocomplete: "organization" }],
  ["street", "/address/street", "text", true, { maxlength: 200, autocomplete: "address-line1" }],
  ["additionalStreet", "/address/additionalStreet", "text", false, { maxlength: 200, autocomplete: "address-line2" }],
  ["postalCode", "/address/postalCode", "text", true, { maxlength: 16, size: 10, autocomplete: "postal-code" }],
  ["city", "/address/city", "text", true, { maxlength: 100, autocomplete: "address-level2" }],
  ["region", "/address/region", "text", false, { maxlength: 100, autocomplete: "address-level1" }],
  ["country", "/address/country", "text", true, { maxlength: 2, size: 3, autocomplete: "country" }],
  ["email", "/email", "email", true, { maxlength: 254, autocomplete: "email" }],
  ["reference", "/reference", "text", false, { maxlength: 100 }],
  ["purchaseOrder", "/purchaseOrder", "text", false, { maxlength: 100 }],
  ["routingScheme", "/routing/scheme", "text", false, { maxlength: 4, size: 5, inputmode: "numeric" }],
  ["routingId", "/routing/id", "text", false, { maxlength: 135 }]
];

// billingValue reads a field of recorded details b.
function billingValue(b, name) {
  if (!b) { return ""; }
  var a = b.address || {};
  var r = b.routing || {};
  return { legalName: b.legalName, street: a.street, additionalStreet: a.additionalStreet, postalCode: a.postalCode,
    city: a.city, region: a.region, country: a.country, email: b.email, reference: b.reference,
    purchaseOrder: b.purchaseOrder, routingScheme: r.scheme, routingId: r.id }[name] || "";
}

// billingForm builds the form, filled with the details recorded (b, or
// null). It saves them for city with headers, says how in box, and calls
// saved with the details as recorded.
function billingForm(prefix, city, b, headers, box, saved) {
  var form = el("form", { id: prefix + "-form", "class": "billing", novalidate: "novalidate" });
  billingFields.forEach(function (f) {
    var id = prefix + "-" + f[0];
    var wrap = el("div", { "class": "field", "data-pointer": f[1] });
    var label = el("label", { "for": id }, t("jsBill_" + f[0]) + " ");
    label.appendChild(el("span", { "class": f[3] ? "req" : "opt" }, "(" + t(f[3] ? "jsRequired" : "jsOptional") + ")"));
    wrap.appendChild(label);
    var help = M["jsBillHelp_" + f[0]] ? el("p", { "class": "help", id: id + "-help" }, t("jsBillHelp_" + f[0])) : null;
    if (help) { wrap.appendChild(help); }
    var input = el("input", Object.assign({ id: id, name: f[0], type: f[2], required: f[3] ? "required" : null,
      "aria-describedby": help ? id + "-help" : null }, f[4]));
    input.value = billingValue(b, f[0]);
    wrap.appendChild(input);
    form.appendChild(wrap);
  });
  var button = el("button", { type: "submit" }, t("jsBillSave"));
  form.appendChild(el("p", { "class": "actions" })).appendChild(button);

  function value(name) { return form.elements[name].value.trim(); }
  form.addEventListener("submit", async function (ev) {
    ev.preventDefault();
    clearErrors(form);
    var body = { legalName: value("legalName"), address: { street: value("street"), city: value("city"),
      country: value("country").toUpperCase() }, email: value("email") };
    ["additionalStreet", "postalCode", "region"].forEach(function (k) { if (value(k)) { body.address[k] = value(k); } });
    ["reference", "purchaseOrder"].forEach(function (k) { if (value(k)) { body[k] = value(k); } });
    if (value("routingScheme") || value("routingId")) { body.routing = { scheme: value("routingScheme"), id: value("routingId") }; }
    say(box, t("jsSending"));
    button.disabled = true;
    var r;
    try {
      r = await call("PUT", "cities/" + encodeURIComponent(city) + "/billing", { body: JSON.stringify(body), headers: headers });
    } catch (e) {
      say(box, t("jsNetwork"), "error");
      return;
    } finally {
      button.disabled = false;
      // Disabled, the button lost the focus: it goes back where it was.
      if (document.activeElement === document.body) { button.focus(); }
    }
    if (r.status === 200 && r.body) {
      say(box, t("jsBillSaved"));
      saved(r.body);
      return;
    }
    if (r.status === 401 || r.status === 403) { saved(null, r); return; }
    showProblem(form, box, r);
  });
  return form;
}

// waitsForBilling says whether the city's invoices wait for its billing
// details: a member (or one under notice) with none recorded.
function waitsForBilling(c) {
  return !c.billing && (c.status === "member" || c.status === "termination_notified");
}

// billingFacts lists the details recorded, b, in dl (or says there are
// none).
function billingFacts(dl, b) {
  dl.textContent = "";
  // What the city typed is shown as typed: translate="no" tells
  // translation tools (and the tests reading the page's language) so.
  var fact = function (k, v, typed) {
    if (!v) { return; }
    dl.appendChild(el("dt", {}, t(k)));
    dl.appendChild(el("dd", { translate: typed ? "no" : null }, v));
  };
  if (!b) {
    fact("jsBillRecorded", t("jsBillNone"));
    return;
  }
  var a = b.address;
  fact("jsBill_legalName", b.legalName, true);
  fact("jsBillAddress", [a.street, a.additionalStreet, [a.postalCode, a.city].filter(Boolean).join(" "), a.region, a.country]
    .filter(Boolean).join(", "), true);
  fact("jsBill_email", b.email, true);
  fact("jsBill_reference", b.reference, true);
  fact("jsBill_purchaseOrder", b.purchaseOrder, true);
  if (b.routing) { fact("jsBillRouting", b.routing.scheme + ":" + b.routing.id, true); }
}
