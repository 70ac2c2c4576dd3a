// What every page's script shares: the page's messages and language,
// elements built as text (never HTML), calls to the API, Idempotency-Keys,
// the formats of the page's language, field errors and the city's personal
// link. Each page's script is this file followed by the page's own files,
// in one function (package web assembles them), so these names are theirs.
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
// forget starts a new submission: the next body gets a new key even if it
// is the same (a form edited again, for a second equal payment).
Once.prototype.forget = function () { this.body = null; this.key = null; };

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
  if (opts.body !== undefined) { headers["Content-Type"] = opts.type || "application/json"; }
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

// stacked makes table's rows stack as cards on a narrow screen (forms.css,
// .stack; WCAG 1.4.10): each cell is labelled with its column's header, and
// roles keep the table a table to screen readers once its parts are shown
// as blocks. Call it again when rows are added.
function stacked(table) {
  var heads = table.querySelectorAll("thead th");
  table.classList.add("stack");
  table.setAttribute("role", "table");
  table.querySelectorAll("thead, tbody").forEach(function (g) { g.setAttribute("role", "rowgroup"); });
  table.querySelectorAll("tr").forEach(function (tr) {
    tr.setAttribute("role", "row");
    Array.prototype.forEach.call(tr.children, function (c, i) {
      if (c.tagName === "TH") {
        c.setAttribute("role", c.getAttribute("scope") === "row" ? "rowheader" : "columnheader");
      } else {
        c.setAttribute("role", "cell");
        if (heads[i]) { c.setAttribute("data-label", heads[i].textContent); }
      }
    });
  });
  return table;
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
  [["index-form", "jsNavIndex", "index"], ["progress-report", "jsNavProgress", "progress"],
    ["invoices", "jsNavInvoices", "invoices"]].forEach(function (p) {
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

