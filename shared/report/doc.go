// Package report builds the analytical report a city receives on its INDEX
// results: a model of the report (Build), stored and served as JSON, and its
// renderings as a self-contained HTML document (RenderHTML) and a PDF
// (RenderPDF). It also holds the good-practice catalogue's domain type
// (Practice) and the choice of practices a report quotes (SelectPractices).
//
// Everything here is pure: the caller reads the submission, the comparison
// groups and the candidate practices from storage, and stores what comes
// out. A report is built once (a draft when the submission is scored, again
// when the secretariat adds its commentary) and its model is stored; the
// renderings are made from the stored model, and give the same bytes each
// time, so a published PDF can be stored once under Object Lock.
//
// Where the words come from:
//   - The recommendations come from advice.yaml, one entry per question id
//     (a topic and a piece of advice, in English and French). An answer
//     short of full points yields its question's advice; the advice that
//     would raise the area's score most comes first. The catalogue is
//     editorial text of the secretariat, kept outside the versioned
//     questionnaire definitions so that it can be reworded without a new
//     INDEX version; a test keeps it covering every question of every version.
//   - Every other sentence is in lexicon.go, written whole in each language.
//   - Numbers, dates and percentages are formatted by shared/i18n.
//
// Progress against a previous submission compares published scores when
// both used the same questionnaire version. Across versions it scores both
// submissions again on the questions asked and scored identically in both
// (same id, type, options and points, or bands), with the current version's
// weights, and lists every question and area left out with the reason.
package report
