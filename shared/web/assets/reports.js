// Analytical reports, as a city's INDEX page and the secretariat's console
// show them: a report's documents (HTML and PDF) fetched with the token and
// offered as downloads (download, in fees.js), and on the city's page its
// published reports and, while its latest INDEX waits for its report, that
// the report is being prepared.

// reportFile names a report's document as the email that sends it does.
function reportFile(rep, format) { return "ICC-INDEX-" + rep.cityId + "-" + rep.reportId + "." + format; }

// reportButtons offers a published report's HTML and PDF for download, or
// says they are being prepared (the publisher archives them within
// seconds); a draft has none.
function reportButtons(rep, headers, box) {
  var wrap = el("span", { "class": "docs" });
  if (rep.status !== "published") { return wrap; }
  if (!rep.documentsReady) {
    wrap.textContent = t("jsDocumentsPending");
    return wrap;
  }
  [["html", "jsHTML", "jsReportDownloadHTML"], ["pdf", "jsPDF", "jsReportDownloadPDF"]].forEach(function (d) {
    var b = el("button", { type: "button", "class": "small", "data-download": d[0],
      "aria-label": fmtMsg(d[2], { date: date(rep.publishedAt) }) }, t(d[1]));
    b.addEventListener("click", function () { download(rep.links[d[0]], headers, reportFile(rep, d[0]), box, true); });
    wrap.appendChild(b);
    wrap.appendChild(document.createTextNode(" "));
  });
  return wrap;
}

// initCityReports shows, on the city's INDEX page, its published reports
// and whether the report on its latest scored INDEX is being prepared. It
// gives the function that looks again (after a new INDEX is scored).
function initCityReports(link) {
  var section = document.getElementById("city-reports");
  var list = document.getElementById("report-links");
  var pending = document.getElementById("report-pending");
  var box = document.getElementById("report-downloads");
  var tries = 0;

  async function refresh() {
    var rc, rr;
    try {
      [rc, rr] = await Promise.all([call("GET", "cities/" + link.city, { headers: link.auth }),
        call("GET", "cities/" + link.city + "/reports", { headers: link.auth })]);
    } catch (e) {
      return; // the form works without it
    }
    if (rc.status !== 200 || rr.status !== 200 || !rc.body || !rr.body) { return; }
    var latest = rc.body.latestIndex;
    // A city reads its published reports only.
    var reports = rr.body.reports.filter(function (rep) { return rep.status === "published"; });
    list.textContent = "";
    reports.forEach(function (rep) {
      var li = el("li", { "data-report": rep.reportId },
        fmtMsg("jsReportPublished", { date: date(rep.publishedAt) }) + " ");
      li.appendChild(reportButtons(rep, link.auth, box));
      list.appendChild(li);
    });
    list.hidden = !reports.length;
    pending.hidden = !latest || reports.some(function (rep) { return rep.submissionId === latest.submissionId; });
    section.hidden = list.hidden && pending.hidden;
    // Documents being archived are ready within a minute.
    if (reports.some(function (rep) { return !rep.documentsReady; }) && tries++ < 20) { setTimeout(refresh, 3000); }
  }

  refresh();
  return function () { tries = 0; return refresh(); };
}
