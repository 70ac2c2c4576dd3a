// The secretariat's good-practice catalogue: what member cities did in a
// policy area, offered to other cities in their analytical reports once
// published. The list (by area, published or not, demo entries marked), a
// new practice and changes to one. The console (secretariat.js) gives it
// the token, its way of handling a refused token and of showing a view.

// The practice's fields: name, pointer in the body, input, required,
// attributes.
var practiceFields = [
  ["cityId", "/cityId", "select", true, {}],
  ["cityName", "/cityName", "text", true, { maxlength: 120 }],
  ["country", "/country", "text", true, { maxlength: 2, size: 3, autocomplete: "off" }],
  ["area", "/area", "select", true, {}],
  ["titleEn", "/title/en", "text", true, { maxlength: 160, lang: "en" }],
  ["titleFr", "/title/fr", "text", true, { maxlength: 160, lang: "fr" }],
  ["summaryEn", "/summary/en", "textarea", true, { maxlength: 1200, rows: 4, lang: "en" }],
  ["summaryFr", "/summary/fr", "textarea", true, { maxlength: 1200, rows: 4, lang: "fr" }],
  ["year", "/year", "number", true, { min: 1950, max: new Date().getFullYear(), step: 1, inputmode: "numeric", size: 6 }],
  ["link", "/link", "url", false, { maxlength: 2000 }]
];

// initPractices wires the catalogue's view; it gives the function that
// routes a location's hash to it (true when it is its).
function initPractices(auth, rejected, show) {
  var filters = document.getElementById("practice-filters");
  var status = document.getElementById("practices-status");
  var listBox = document.getElementById("practice-list");
  var panel = document.getElementById("practice-panel");
  var newButton = document.getElementById("practice-new");
  var areas = []; // the current questionnaire's areas, titled in the page's language
  var cities = null; // the console's cities, by name, once read
  var query = { area: "", state: "" };
  var shown = 0;

  function areaTitle(id) {
    var a = areas.filter(function (x) { return x.id === id; })[0];
    return a ? a.title : id;
  }
  // inLang is a text of the catalogue in the page's language, or else the
  // other.
  function inLang(x) { return (x && (x[lang] || x[lang === "fr" ? "en" : "fr"])) || ""; }

  async function loadAreas() {
    if (areas.length) { return; }
    var r = await call("GET", "questionnaire?lang=" + lang);
    if (r.status !== 200 || !r.body) { return; }
    areas = r.body.areas.map(function (a) { return { id: a.id, title: a.title }; });
    var sel = filters.elements.area;
    sel.textContent = "";
    sel.appendChild(el("option", { value: "" }, t("jsAllAreas")));
    areas.forEach(function (a) { sel.appendChild(el("option", { value: a.id }, a.title)); });
  }

  // loadCities reads the cities of the console, for the form's choice of
  // city (a few pages of 200).
  async function loadCities() {
    if (cities) { return cities; }
    var out = [];
    var cursor = "";
    for (var i = 0; i < 5; i++) {
      var qs = new URLSearchParams({ limit: "200" });
      if (cursor) { qs.set("cursor", cursor); }
      var r = await call("GET", "admin/cities?" + qs.toString(), { headers: auth() });
      if (rejected(r) || r.status !== 200 || !r.body) { break; }
      out = out.concat(r.body.cities);
      cursor = r.body.next || "";
      if (!cursor) { break; }
    }
    out.sort(function (a, b) { return a.name.localeCompare(b.name, lang); });
    cities = out;
    return out;
  }

  // load shows the catalogue as the filters ask.
  async function load(focusOn) {
    var n = ++shown;
    if (!focusOn) { say(status, t("jsLoadingReports")); }
    var r;
    try {
      await loadAreas();
      r = await call("GET", "admin/good-practices" + (query.area ? "?area=" + encodeURIComponent(query.area) : ""), { headers: auth() });
    } catch (e) {
      say(status, t("jsNetwork"), "error");
      return;
    }
    if (n !== shown || rejected(r)) { return; }
    if (r.status !== 200 || !r.body) { say(status, problemText(r), "error"); return; }
    if (!focusOn) { say(status, ""); }
    var list = r.body.practices.filter(function (p) {
      return !query.state || (query.state === "published") === p.published;
    });
    list.sort(function (a, b) { return areaTitle(a.area).localeCompare(areaTitle(b.area), lang) || b.year - a.year; });
    listBox.textContent = "";
    if (!list.length) {
      listBox.appendChild(el("p", { id: "practice-none" }, t("jsNoPractices")));
    } else {
      listBox.appendChild(stackTable("practices-table", fmtMsg("jsPracticesCaption", { count: list.length }), list, [
        ["jsCol_practice", function (p) {
          var td = el("td", {}, inLang(p.title));
          if (p.demo) {
            td.appendChild(document.createTextNode(" "));
            td.appendChild(el("strong", { "class": "tag", "data-demo": "true" }, t("jsDemo")));
          }
          return td;
        }],
        ["jsCol_city", function (p) { return textCell(p.cityName + " (" + p.country + ")"); }],
        ["jsCol_area", function (p) { return textCell(areaTitle(p.area)); }],
        ["jsCol_year", function (p) { return textCell(String(p.year)); }],
        ["jsCol_published", function (p) { return el("td", { "data-published": String(p.published) }, t(p.published ? "jsYes" : "jsNo")); }],
        ["jsCol_edit", function (p) {
          var td = el("td");
          var b = el("button", { type: "button", "class": "small", "data-edit": p.id,
            "aria-label": fmtMsg("jsEditPractice", { title: inLang(p.title) }) }, t("jsEdit"));
          b.addEventListener("click", function () { edit(p); });
          td.appendChild(b);
          return td;
        }]
      ], function (p) { return { "data-practice": p.id }; }));
    }
    if (focusOn) {
      var b = listBox.querySelector('[data-edit="' + CSS.escape(focusOn) + '"]');
      (b || status).focus();
    }
  }

  // edit opens the form on practice p, or on a new one (p null).
  async function edit(p) {
    panel.textContent = "";
    panel.hidden = false;
    var h = el("h3", { id: "practice-form-title", tabindex: "-1" },
      p ? fmtMsg("jsEditPracticeTitle", { title: inLang(p.title) }) : t("jsNewPractice"));
    panel.appendChild(h);
    var out = el("div", { "class": "panel-status", role: "status", "aria-live": "polite", tabindex: "-1" });
    panel.appendChild(out);
    var form = el("form", { id: "practice-form", novalidate: "novalidate" });
    panel.appendChild(form);
    h.focus();
    var list;
    try {
      await loadAreas();
      list = await loadCities();
    } catch (e) {
      say(out, t("jsNetwork"), "error");
      return;
    }
    var inputs = {};
    practiceFields.forEach(function (f) {
      var input;
      if (f[2] === "textarea") {
        input = el("textarea", f[4]);
      } else if (f[2] === "select") {
        input = el("select", f[4]);
      } else {
        input = el("input", Object.assign({ type: f[2] }, f[4]));
      }
      inputs[f[0]] = field(form, "gp-" + f[0], f[0], f[1], "jsGp_" + f[0], input,
        M["jsGpHelp_" + f[0]] ? "jsGpHelp_" + f[0] : null, f[3]);
    });
    // The city: one of the console's, its name and country filled in from
    // it (the catalogue may word the name its own way).
    var city = inputs.cityId;
    city.appendChild(el("option", { value: "" }, t("jsChooseCity")));
    var known = list.slice();
    if (p && !known.some(function (c) { return c.cityId === p.cityId; })) {
      known.unshift({ cityId: p.cityId, name: p.cityName, country: p.country });
    }
    known.forEach(function (c) { city.appendChild(el("option", { value: c.cityId }, c.name + " (" + c.country + ")")); });
    city.addEventListener("change", function () {
      var c = known.filter(function (x) { return x.cityId === city.value; })[0];
      if (c) {
        inputs.cityName.value = c.name;
        inputs.country.value = c.country;
      }
    });
    inputs.area.appendChild(el("option", { value: "" }, t("jsChooseArea")));
    areas.forEach(function (a) { inputs.area.appendChild(el("option", { value: a.id }, a.title)); });
    var pub = el("div", { "class": "field", "data-pointer": "/published" });
    var lab = el("label", { "for": "gp-published" });
    var check = el("input", { type: "checkbox", id: "gp-published", name: "published" });
    lab.appendChild(check);
    lab.appendChild(document.createTextNode(" " + t("jsGp_published")));
    pub.appendChild(lab);
    pub.appendChild(el("p", { "class": "help", id: "gp-published-help" }, t("jsGpHelp_published")));
    check.setAttribute("aria-describedby", "gp-published-help");
    form.appendChild(pub);
    if (p) {
      city.value = p.cityId;
      inputs.cityName.value = p.cityName;
      inputs.country.value = p.country;
      inputs.area.value = p.area;
      inputs.titleEn.value = p.title.en;
      inputs.titleFr.value = p.title.fr;
      inputs.summaryEn.value = p.summary.en;
      inputs.summaryFr.value = p.summary.fr;
      inputs.year.value = String(p.year);
      inputs.link.value = p.link || "";
      check.checked = p.published;
      if (p.demo) { form.insertBefore(el("p", { "class": "warning" }, t("jsDemoHelp")), form.firstChild); }
    } else {
      if (query.area) { inputs.area.value = query.area; }
      inputs.year.value = String(new Date().getFullYear());
    }
    var actions = form.appendChild(el("p", { "class": "actions" }));
    var saveButton = actions.appendChild(el("button", { type: "submit" }, t("jsSavePractice")));
    actions.appendChild(document.createTextNode(" "));
    var cancel = actions.appendChild(el("button", { type: "button" }, t("jsCancel")));
    cancel.addEventListener("click", function () { close(p ? p.id : null); });

    var once = new Once();
    var sending = false; // the form sent again while it is being sent is the same
    form.addEventListener("input", function () { once.forget(); });
    form.addEventListener("submit", async function (ev) {
      ev.preventDefault();
      if (sending) { return; }
      clearErrors(form);
      var v = function (k) { return inputs[k].value.trim(); };
      var year = Number(v("year"));
      var body = { cityId: city.value, cityName: v("cityName"), country: v("country").toUpperCase(), area: inputs.area.value,
        title: { en: v("titleEn"), fr: v("titleFr") }, summary: { en: v("summaryEn"), fr: v("summaryFr") },
        year: v("year") && Number.isInteger(year) ? year : 0, published: check.checked, demo: !!(p && p.demo) };
      if (v("link")) { body.link = v("link"); }
      var json = JSON.stringify(body);
      var r;
      sending = true;
      try {
        r = await save(json);
      } finally {
        sending = false;
      }
      if (!r || rejected(r)) { return; }
      if ((r.status === 200 || r.status === 201) && r.body) {
        panel.hidden = true;
        panel.textContent = "";
        say(status, fmtMsg(p ? "jsPracticeSaved" : "jsPracticeCreated", { title: inLang(r.body.title) }));
        status.firstChild.id = "practice-saved";
        load(r.body.id);
        return;
      }
      showProblem(form, out, r);
      if (!form.querySelector("[aria-invalid=true]")) { out.focus(); }
    });

    // save sends the practice: a change by PUT, a new one by POST under an
    // Idempotency-Key (sent again unchanged, a retry, it is the same one).
    // It gives the answer, or null when the server could not be reached.
    async function save(json) {
      if (!p) { return send(once, "admin/good-practices", json, auth(), out, form); }
      say(out, t("jsSending"));
      saveButton.disabled = true;
      try {
        return await call("PUT", "admin/good-practices/" + encodeURIComponent(p.id), { body: json, headers: auth() });
      } catch (e) {
        say(out, t("jsNetwork"), "error");
        return null;
      } finally {
        saveButton.disabled = false;
      }
    }
  }

  function close(id) {
    panel.hidden = true;
    panel.textContent = "";
    var b = id && listBox.querySelector('[data-edit="' + CSS.escape(id) + '"]');
    (b || newButton).focus();
  }

  filters.addEventListener("submit", function (ev) {
    ev.preventDefault();
    query.area = filters.elements.area.value;
    query.state = filters.elements.state.value;
    load();
  });
  newButton.addEventListener("click", function () { edit(null); });

  return function route(hash) {
    if (hash !== "#practices") { shown++; return false; }
    show("practices");
    panel.hidden = true;
    panel.textContent = "";
    document.getElementById("practices-title").focus();
    load();
    return true;
  };
}
