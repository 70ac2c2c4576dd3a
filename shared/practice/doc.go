// Package practice holds the good-practice catalogue's entries: what a
// member city did in a policy area that the secretariat offers other cities
// as an example, and how an analytical report chooses the ones it quotes.
// It is light (no rendering), so that the functions keeping the catalogue
// need not link the report's PDF library.
package practice
