// The application form. Without this script the browser sends the form
// itself (POST /apply) and the server answers the page again; with it, the
// application goes as JSON to POST /applications.
function initApply() {
  var form = document.getElementById("apply-form");
  // The server's confirmation of a form sent without the script.
  if (!form) { return; }
  var status = document.getElementById("form-status");
  var result = document.getElementById("result");
  var once = new Once();
  function val(name) { return form.elements[name].value.trim(); }
  function num(name) { var s = val(name); return s === "" ? undefined : Number(s); }
  form.addEventListener("submit", async function (ev) {
    ev.preventDefault();
    clearErrors(form);
    // The server's list of errors, from a form sent without the script.
    var summary = document.getElementById("error-summary");
    if (summary) { summary.remove(); }
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
      // An id is not prose: no translation tool should touch it.
      var ref = result.appendChild(el("p", {}, t("jsCityId") + " "));
      ref.appendChild(el("span", { translate: "no" }, r.body.cityId));
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

initApply();
