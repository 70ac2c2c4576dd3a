package report

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strings"
	"unicode"
	"unicode/utf8"

	"github.com/intercultural-cities/backoffice/shared/failure"
	"github.com/intercultural-cities/backoffice/shared/i18n"
	"github.com/intercultural-cities/backoffice/shared/index"
)

// Limits of the secretariat's commentary and the city's name, in characters.
const (
	MaxIntroduction = 10000
	MaxAreaComment  = 4000
	MaxCityName     = 200
)

// Highlights is how many areas the overall results name as strongest and
// as weakest.
const Highlights = 3

// Build makes the report's model. It fails with a failure.Invalid error
// naming the field for bad input (an over-long commentary, a comment on an
// unknown area) and with failure.Conflict when the submission is not scored.
func Build(in Input) (Model, error) {
	q, err := check(&in)
	if err != nil {
		return Model{}, err
	}
	lang := i18n.Parse(in.City.Language)
	w := words(lang)
	res := *in.Submission.Result
	if len(in.Bands.Population) == 0 && len(in.Bands.ForeignBorn) == 0 {
		in.Bands = index.DefaultBands()
	}
	b := builder{in: in, q: q, w: w, res: res}
	b.place()

	m := Model{
		Schema:         SchemaVersion,
		Lang:           lang,
		CityID:         in.City.ID,
		SubmissionID:   in.Submission.ID,
		Title:          fmt.Sprintf(w.title, in.City.Name),
		Subtitle:       b.subtitle(),
		Date:           in.GeneratedAt.UTC(),
		Version:        q.Version,
		CitiesCompared: b.citiesCompared(),
		Demo:           in.Demo,
		Introduction:   comment(in.Commentary.Introduction, lang),
	}
	m.Method = b.method()
	m.City = b.overview()
	for _, a := range q.Areas {
		m.Areas = append(m.Areas, b.area(&a))
	}
	m.Overall = b.overall(m.Areas)
	m.Chart = b.chart(m.Areas)
	if in.Previous != nil {
		p, err := b.progress()
		if err != nil {
			return Model{}, err
		}
		m.Progress = p
	}
	return m, nil
}

// check validates the input and returns the submission's questionnaire.
func check(in *Input) (*index.Questionnaire, error) {
	sub := in.Submission
	if sub.Result == nil {
		return nil, failure.New(failure.Conflict, "submission %s is not scored yet", sub.ID)
	}
	q := in.Questionnaire
	if q == nil {
		var ok bool
		if q, ok = index.Lookup(sub.Version); !ok {
			return nil, failure.Fields("unknown questionnaire version",
				failure.Field("/submission/version", "no INDEX version %q", sub.Version))
		}
	}
	var c failure.Collector
	if q.Version != sub.Version || sub.Result.Version != sub.Version {
		c.Add("/questionnaire", "INDEX %s does not match the submission's version %s", q.Version, sub.Version)
	}
	text(&c, "/city/name", in.City.Name, 1, MaxCityName)
	if in.GeneratedAt.IsZero() {
		c.Add("/generatedAt", "is required")
	}
	commentText(&c, "/commentary/introduction", in.Commentary.Introduction, MaxIntroduction)
	for _, id := range slices.Sorted(mapKeys(in.Commentary.Areas)) {
		ptr := "/commentary/areas/" + escapePointer(id)
		if _, ok := q.Area(id); !ok {
			c.Add(ptr, "no area %q in INDEX %s", clip(id), q.Version)
			continue
		}
		commentText(&c, ptr, in.Commentary.Areas[id], MaxAreaComment)
	}
	if p := in.Previous; p != nil {
		switch {
		case p.Result == nil:
			c.Add("/previous", "submission %s is not scored", p.ID)
		case p.ID == sub.ID:
			c.Add("/previous", "is the report's own submission")
		case !p.SubmittedAt.Before(sub.SubmittedAt):
			c.Add("/previous", "was submitted after the report's submission")
		}
	}
	if err := c.Err("the report cannot be built"); err != nil {
		return nil, err
	}
	return q, nil
}

func commentText(c *failure.Collector, ptr string, t index.Text, maxLen int) {
	for _, l := range []struct{ code, s string }{{"en", t.EN}, {"fr", t.FR}} {
		switch {
		case !utf8.ValidString(l.s):
			c.Add(ptr+"/"+l.code, "must be valid UTF-8")
		case utf8.RuneCountInString(l.s) > maxLen:
			c.Add(ptr+"/"+l.code, "must be at most %d characters", maxLen)
		case strings.IndexFunc(l.s, func(r rune) bool { return unicode.IsControl(r) && r != '\n' && r != '\r' && r != '\t' }) >= 0:
			c.Add(ptr+"/"+l.code, "must not contain control characters")
		}
	}
}

// escapePointer escapes a JSON Pointer token (RFC 6901).
func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(clip(s), "~", "~0"), "/", "~1")
}

// clip shortens hostile input before it is echoed in an error.
func clip(s string) string {
	if len(s) > 64 {
		return strings.ToValidUTF8(s[:64], "") + "…"
	}
	return s
}

func mapKeys[V any](m map[string]V) func(func(string) bool) {
	return func(yield func(string) bool) {
		for k := range m {
			if !yield(k) {
				return
			}
		}
	}
}

var paragraphBreak = regexp.MustCompile(`\r?\n[ \t]*\r?\n`)

// comment takes a text of the secretariat in the report's language, or in
// the other one when it was written only in that.
func comment(t index.Text, lang i18n.Lang) *Comment {
	order := []i18n.Lang{lang, i18n.English}
	if lang == i18n.English {
		order[1] = i18n.French
	}
	for _, l := range order {
		s := strings.TrimSpace(t.In(string(l)))
		if s == "" {
			continue
		}
		var ps []string
		for _, p := range paragraphBreak.Split(s, -1) {
			if p = strings.Join(strings.Fields(p), " "); p != "" {
				ps = append(ps, p)
			}
		}
		return &Comment{Lang: l, Paragraphs: ps}
	}
	return nil
}

// builder holds what every part of the model needs.
type builder struct {
	in  Input
	q   *index.Questionnaire
	w   *lexicon
	res index.Result

	standings []index.Standing // all, population, foreign-born
	answers   map[string]index.Answer
	scores    map[string]index.AreaScore
	practices map[string][]Candidate // by area
}

// place gathers the standings (those computed when the submission was
// scored, or computed now from the groups) and indexes the answers.
func (b *builder) place() {
	b.standings = b.in.Submission.Standings
	if len(b.standings) == 0 {
		b.standings = index.Standings(b.in.Bands, b.res, b.in.Groups)
	}
	b.answers = make(map[string]index.Answer, len(b.in.Submission.Answers))
	for _, a := range b.in.Submission.Answers {
		b.answers[a.Question] = a
	}
	b.practices = map[string][]Candidate{}
	for _, c := range b.in.Practices {
		b.practices[c.Practice.Area] = append(b.practices[c.Practice.Area], c)
	}
	b.scores = make(map[string]index.AreaScore, len(b.res.Areas))
	for _, a := range b.res.Areas {
		b.scores[a.Area] = a
	}
}

// standing returns the city's standing in the group of a kind.
func (b *builder) standing(kind string) (index.Standing, bool) {
	for _, s := range b.standings {
		if s.Group.Kind == kind {
			return s, true
		}
	}
	return index.Standing{}, false
}

var groupKinds = []string{index.GroupAll, index.GroupPopulation, index.GroupForeignBorn}

// alone says whether the city is the only one of its sample.
func (b *builder) alone() bool { return b.citiesCompared() <= 1 }

func (b *builder) subtitle() string {
	if b.alone() {
		return b.w.subtitleAlone
	}
	return fmt.Sprintf(b.w.subtitle, b.w.count(b.citiesCompared()))
}

// citiesCompared is the size of the whole sample.
func (b *builder) citiesCompared() int {
	if g, ok := b.in.Groups[index.GroupAll]; ok && g.Count > 0 {
		return g.Count
	}
	s, _ := b.standing(index.GroupAll)
	return s.Of
}

// average is a group's mean score in an area, from the groups' aggregates
// (the standing's copy when the group is not among them); nil when no city
// of the group answered the area.
func (b *builder) average(kind, area string) *float64 {
	s, ok := b.standing(kind)
	if !ok {
		return nil
	}
	if g, ok := b.in.Groups[s.Group.Key]; ok && g.AreaCount[area] > 0 {
		v := index.Round1(g.AreaSum[area] / float64(g.AreaCount[area]))
		return &v
	}
	if v, ok := s.Areas[area]; ok {
		return &v
	}
	return nil
}

// groupAggregate is a group's mean aggregate index.
func (b *builder) groupAggregate(kind string) float64 {
	s, _ := b.standing(kind)
	if g, ok := b.in.Groups[s.Group.Key]; ok && g.Count > 0 {
		return index.Round1(g.AggSum / float64(g.Count))
	}
	return s.Average
}

func (b *builder) method() []string {
	w, q := b.w, b.q
	questions, core := 0, 0
	var optional, lens []string
	for _, a := range q.Areas {
		questions += len(a.Questions)
		switch {
		case a.Optional:
			optional = append(optional, a.Title.In(string(w.lang)))
		default:
			core++
		}
		if a.Lens {
			lens = append(lens, a.Title.In(string(w.lang)))
		}
	}
	opt := ""
	if len(optional) > 0 {
		opt = fmt.Sprintf(w.optionalSentence, w.list(optional))
	}
	pop, _ := b.standing(index.GroupPopulation)
	fb, _ := b.standing(index.GroupForeignBorn)
	return []string{
		fmt.Sprintf(w.method[0], w.count(questions), w.count(len(q.Areas)), q.Version),
		fmt.Sprintf(w.method[1], w.count(core), opt, w.list(lens)),
		b.comparisonMethod(pop.Group, fb.Group),
		w.method[3],
	}
}

// comparisonMethod says whom the city is compared with: the sample and the
// groups of similar size and diversity it belongs to.
func (b *builder) comparisonMethod(pop, fb index.Group) string {
	if b.alone() {
		return fmt.Sprintf(b.w.methodAlone, b.w.bandText(pop), b.w.bandText(fb))
	}
	return fmt.Sprintf(b.w.method[2], b.w.count(b.citiesCompared()), b.w.bandText(pop), b.w.bandText(fb))
}

func (b *builder) overview() CityOverview {
	w, c := b.w, b.in.City
	country := countryName(c.Country, w.lang)
	return CityOverview{
		Name: c.Name, Country: c.Country, CountryName: country, Population: c.Population,
		ForeignBornShare: c.ForeignBornShare, ForeignResidentShare: c.ForeignResidentShare,
		NationalMinorityShare: c.NationalMinorityShare,
		Facts: []Fact{
			{w.factCountry, country},
			{w.factPopulation, w.lang.Int(c.Population)},
			{w.factBorn, w.percent(c.ForeignBornShare)},
			{w.factResidents, w.percent(c.ForeignResidentShare)},
			{w.factMinorities, w.percent(c.NationalMinorityShare)},
		},
		Paragraphs: []string{fmt.Sprintf(w.overview, c.Name, country, w.lang.Int(c.Population),
			w.percent(c.ForeignBornShare), w.percent(c.ForeignResidentShare), w.percent(c.NationalMinorityShare))},
	}
}

func (b *builder) overall(areas []AreaSection) Overall {
	w, res, name := b.w, b.res, b.in.City.Name
	o := Overall{Aggregate: res.Aggregate, NetworkAggregate: b.groupAggregate(index.GroupAll), Lens: res.Lens}
	// The network's lens score: the lens areas' network averages, weighted
	// as the city's are.
	var sum, weights float64
	for _, a := range b.q.Areas {
		if !a.Lens {
			continue
		}
		if avg := b.average(index.GroupAll, a.ID); avg != nil {
			sum += *avg * a.Weight
			weights += a.Weight
		}
	}
	if weights > 0 {
		o.NetworkLens = index.Round1(sum / weights)
	}
	for _, a := range res.Areas {
		if a.Optional {
			e := res.Extended
			o.Extended = &e
			break
		}
	}
	for _, kind := range groupKinds {
		s, ok := b.standing(kind)
		if !ok {
			continue
		}
		o.Standings = append(o.Standings, Standing{Kind: kind, Key: s.Group.Key, Group: upperFirst(w.groupLabel(s.Group, true)),
			Rank: s.Rank, Of: s.Of, Percentile: s.Percentile, Average: b.groupAggregate(kind)})
	}

	// Strongest and weakest answered areas; ties keep the questionnaire's order.
	var answered []AreaSection
	for _, a := range areas {
		if a.Answered {
			answered = append(answered, a)
		}
	}
	best := slices.Clone(answered)
	slices.SortStableFunc(best, func(x, y AreaSection) int { return cmp.Compare(y.Score, x.Score) })
	worst := slices.Clone(answered)
	slices.SortStableFunc(worst, func(x, y AreaSection) int { return cmp.Compare(x.Score, y.Score) })
	n := min(Highlights, len(answered)/2)
	var bestTitles, worstTitles []string
	for _, a := range best[:n] {
		o.Strongest = append(o.Strongest, a.ID)
		bestTitles = append(bestTitles, a.Title)
	}
	for _, a := range worst[:n] {
		o.Weakest = append(o.Weakest, a.ID)
		worstTitles = append(worstTitles, a.Title)
	}

	first := fmt.Sprintf(w.aggregate, name, w.percent(o.Aggregate), w.percent(o.NetworkAggregate),
		w.count(b.citiesCompared()), w.percent(o.Lens), w.percent(o.NetworkLens))
	if b.alone() {
		first = fmt.Sprintf(w.aggregateAlone, name, w.percent(o.Aggregate), w.percent(o.Lens))
	}
	if o.Extended != nil {
		first += fmt.Sprintf(w.extended, w.percent(*o.Extended))
	}
	o.Paragraphs = append(o.Paragraphs, first)
	var ranks []string
	for _, kind := range groupKinds {
		if s, ok := b.standing(kind); ok {
			ranks = append(ranks, fmt.Sprintf(w.rankPart, w.ordinal(s.Rank), w.count(s.Of), w.groupLabel(s.Group, true)))
		}
	}
	if len(ranks) > 0 && !b.alone() {
		o.Paragraphs = append(o.Paragraphs, fmt.Sprintf(w.rankIntro, w.list(ranks)))
	}
	if n > 0 {
		o.Paragraphs = append(o.Paragraphs, fmt.Sprintf(w.strengths, w.list(bestTitles), w.list(worstTitles)))
	}
	return o
}

// area builds one area's chapter.
func (b *builder) area(a *index.Area) AreaSection {
	w, lang := b.w, string(b.w.lang)
	s := AreaSection{ID: a.ID, Title: a.Title.In(lang), Optional: a.Optional, Lens: a.Lens,
		InPlace: []Finding{}, Missing: []Finding{}, Recommendations: []Recommendation{}, Practices: []PracticeView{}}
	score, answered := b.scores[a.ID]
	s.Answered, s.Score = answered, score.Score
	for _, kind := range groupKinds {
		s.Averages = append(s.Averages, Average{Kind: kind, Label: w.shortGroup(kind), Value: b.average(kind, a.ID)})
	}
	if answered {
		if cmps := b.comparisons(s.Score, s.Averages); cmps == "" {
			s.Summary = fmt.Sprintf(w.areaScoreAlone, b.in.City.Name, w.percent(s.Score))
		} else {
			s.Summary = fmt.Sprintf(w.areaScore, b.in.City.Name, w.percent(s.Score), cmps)
		}
		b.findings(a, score.MaxPoints, &s)
	} else {
		s.Summary = fmt.Sprintf(w.areaUnanswered, b.in.City.Name)
	}
	if c, ok := b.in.Commentary.Areas[a.ID]; ok {
		s.Commentary = comment(c, w.lang)
	}
	sel := Selection{CityID: b.in.City.ID, Facts: b.res.Facts, Bands: b.in.Bands, Demo: b.in.Demo}
	for _, p := range SelectPractices(a.ID, sel, b.practices[a.ID]) {
		s.Practices = append(s.Practices, PracticeView{ID: p.ID, City: p.CityName, Country: p.Country,
			CountryName: countryName(p.Country, w.lang), Title: p.Title.In(lang), Summary: p.Summary.In(lang),
			Year: p.Year, Link: safeLink(p.Link)})
	}
	s.Chart = b.areaChart(s)
	return s
}

// comparisons words a score against the groups' averages: "above the
// average of all cities (53.8%), below that of cities of similar size
// (57.0%)…", or "above the averages of all cities (53.8%), of cities of
// similar size (57.0%)…" when the score compares alike with every group.
func (b *builder) comparisons(score float64, avgs []Average) string {
	w := b.w
	type cmpTo struct{ word, group, value string }
	var cs []cmpTo
	same := true
	for _, avg := range avgs {
		if avg.Value == nil {
			continue
		}
		st, _ := b.standing(avg.Kind)
		c := cmpTo{w.compare(score, *avg.Value), w.groupLabel(st.Group, false), w.percent(*avg.Value)}
		same = same && (len(cs) == 0 || c.word == cs[0].word)
		cs = append(cs, c)
	}
	var parts []string
	for i, c := range cs {
		switch {
		case same && len(cs) > 1 && i == 0:
			parts = append(parts, w.cmpAll[c.word]+" "+c.group+" ("+c.value+")")
		case same && len(cs) > 1:
			parts = append(parts, fmt.Sprintf(w.cmpAllNext, c.group, c.value))
		case i == 0:
			parts = append(parts, fmt.Sprintf(w.cmpFirst, c.word, c.group, c.value))
		default:
			parts = append(parts, fmt.Sprintf(w.cmpNext, c.word, c.group, c.value))
		}
	}
	return w.list(parts)
}

// findings sorts the area's answers into what is in place (some points),
// what is missing (none), and a recommendation for each answer short of full
// points, the largest possible gain first.
func (b *builder) findings(a *index.Area, areaMax float64, s *AreaSection) {
	lang := string(b.w.lang)
	for i := range a.Questions {
		qu := &a.Questions[i]
		ans, ok := b.answers[qu.ID]
		if !qu.Scored() || !ok {
			continue
		}
		pts, maxPts := questionPoints(qu, ans), qu.MaxPoints()
		adv, known := AdviceFor(qu.ID)
		if !known {
			adv = Advice{Topic: qu.Text, Advice: index.Text{
				EN: fmt.Sprintf(english.fallbackAdvice, qu.Text.EN), FR: fmt.Sprintf(french.fallbackAdvice, qu.Text.FR)}}
		}
		f := Finding{Question: qu.ID, Topic: b.w.typeset(adv.Topic.In(lang)), Answer: b.answerText(qu, ans),
			Points: pts, MaxPoints: maxPts}
		switch {
		case pts >= maxPts:
			f.Level = LevelFull
		case pts > 0:
			f.Level = LevelPartial
		default:
			f.Level = LevelNone
		}
		if pts > 0 {
			s.InPlace = append(s.InPlace, f)
		} else {
			s.Missing = append(s.Missing, f)
		}
		if pts < maxPts && areaMax > 0 {
			s.Recommendations = append(s.Recommendations, Recommendation{Question: qu.ID, Text: b.w.typeset(adv.Advice.In(lang)),
				Gain: index.Round1((maxPts - pts) / areaMax * 100)})
		}
	}
	// Stable: equal gains keep the questionnaire's order.
	slices.SortStableFunc(s.Recommendations, func(x, y Recommendation) int { return cmp.Compare(y.Gain, x.Gain) })
}

// questionPoints scores one answer with the index's own scoring, through a
// one-question questionnaire, so the report can never disagree with it.
func questionPoints(qu *index.Question, a index.Answer) float64 {
	one := index.Questionnaire{Areas: []index.Area{{ID: "q", Weight: 1, Questions: []index.Question{*qu}}}}
	return one.Score([]index.Answer{a}).Areas[0].Points
}

// answerText words an answer: the option's label, or the value.
func (b *builder) answerText(qu *index.Question, a index.Answer) string {
	w := b.w
	switch qu.Type {
	case index.Choice:
		if a.Option != nil {
			for _, o := range qu.Options {
				if o.ID == *a.Option {
					return o.Label.In(string(w.lang))
				}
			}
		}
	case index.Percent:
		if a.Value != nil {
			return w.percent(*a.Value)
		}
	case index.Number:
		if a.Value != nil {
			if qu.Unit != "" && qu.Unit != "%" {
				return w.number(*a.Value) + "\u00a0" + qu.Unit
			}
			return w.number(*a.Value)
		}
	}
	return "—"
}

// series are the chart's bars: the city, then the three groups.
func (b *builder) series() []Series {
	out := []Series{{Key: "city", Label: b.in.City.Name}}
	for _, kind := range groupKinds {
		out = append(out, Series{Key: kind, Label: b.w.shortGroup(kind)})
	}
	return out
}

func (b *builder) chart(areas []AreaSection) Chart {
	w, name := b.w, b.in.City.Name
	c := Chart{Title: fmt.Sprintf(w.chartTitle, name), Series: b.series()}
	var hi, lo *AreaSection
	for i := range areas {
		a := &areas[i]
		row := ChartRow{Area: a.ID, Label: a.Title}
		var own *float64
		if a.Answered {
			v := a.Score
			own = &v
			if hi == nil || a.Score > hi.Score {
				hi = a
			}
			if lo == nil || a.Score < lo.Score {
				lo = a
			}
		}
		row.Values = append(row.Values, own)
		for _, avg := range a.Averages {
			row.Values = append(row.Values, avg.Value)
		}
		c.Rows = append(c.Rows, row)
	}
	if hi != nil {
		c.Description = fmt.Sprintf(w.chartDesc, w.count(len(areas)), name, hi.Title, w.percent(hi.Score), lo.Title, w.percent(lo.Score))
	}
	return c
}

func (b *builder) areaChart(s AreaSection) Chart {
	w := b.w
	c := Chart{Title: fmt.Sprintf(w.areaChartTitle, s.Title), Series: b.series()}
	row := ChartRow{Area: s.ID, Label: s.Title}
	var own *float64
	if s.Answered {
		v := s.Score
		own = &v
	}
	row.Values = append(row.Values, own)
	var parts []string
	if own != nil {
		parts = append(parts, b.in.City.Name+" "+w.percent(*own))
	}
	for _, avg := range s.Averages {
		row.Values = append(row.Values, avg.Value)
		if avg.Value != nil {
			parts = append(parts, avg.Label+" "+w.percent(*avg.Value))
		}
	}
	c.Rows = []ChartRow{row}
	c.Description = strings.Join(parts, "; ") + "."
	return c
}

// upperFirst capitalises a label that starts a table cell.
func upperFirst(s string) string {
	r, n := utf8.DecodeRuneInString(s)
	return string(unicode.ToUpper(r)) + s[n:]
}

// safeLink keeps a practice's link only if it is a plain https address:
// Validate refuses others when a practice is saved, and the report does not
// rely on that having happened.
func safeLink(s string) string {
	var c failure.Collector
	if s != "" {
		checkLink(&c, "", s)
	}
	if len(c.Errs) > 0 {
		return ""
	}
	return s
}
