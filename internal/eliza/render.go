package eliza

import (
	"strings"
	"unicode"
	"unicode/utf8"
)

// outWord is one word of a reply being rendered.
type outWord struct {
	text  string
	punct string // punctuation written after a component, like the "?" of "3?"
	input bool   // the word came from the user's text, not from the script
}

// render reassembles a reply template and writes it in natural case.
//
// ELIZA itself printed the words joined by spaces, in upper case. For a
// modern reader render also:
//   - writes the script's own words as the script spells them, and the
//     user's words in lower case;
//   - writes the user's "i" as "I", or as "me" where it is an object (at the
//     end of a clause, after a preposition or before "to"), and turns "i are"/"are i"
//     (left by the I↔YOU and AM→ARE substitutions) into "I am"/"am I";
//   - moves the punctuation of an empty component onto the word before it;
//   - capitalises the first letter and ends the reply with . ? or !
func render(pieces []piece, comps [][]string) string {
	out := make([]outWord, 0, 16)
	for _, p := range pieces {
		if p.comp == 0 {
			out = append(out, outWord{text: p.word})
			continue
		}
		for _, w := range comps[p.comp-1] {
			out = append(out, outWord{text: w, input: true})
		}
		if p.punct != "" && len(out) > 0 {
			last := &out[len(out)-1]
			if !last.input {
				last.text = strings.TrimRight(last.text, ".,;:")
			}
			last.punct = p.punct
		}
	}
	polish(out)

	var b strings.Builder
	b.Grow(128)
	for i, w := range out {
		if i > 0 {
			b.WriteByte(' ')
		}
		b.WriteString(w.text)
		b.WriteString(w.punct)
	}
	s := b.String()
	if r, size := utf8.DecodeRuneInString(s); unicode.IsLower(r) {
		s = string(unicode.ToUpper(r)) + s[size:]
	}
	switch s[len(s)-1] {
	case '.', '?', '!':
		return s
	case ',', ';', ':':
		return s[:len(s)-1] + "."
	}
	return s + "."
}

// objectWords are the words after which the user's "i" (which was "you")
// reads as "me".
var objectWords = map[string]bool{
	"about": true, "after": true, "against": true, "around": true, "at": true,
	"before": true, "behind": true, "beside": true, "by": true, "for": true,
	"from": true, "into": true, "like": true, "near": true, "of": true,
	"on": true, "than": true, "to": true, "toward": true, "towards": true,
	"under": true, "with": true, "without": true,
}

// polish fixes the first person pronoun that the substitutions left in the
// user's words.
func polish(out []outWord) {
	for i := range out {
		w := &out[i]
		if !w.input {
			continue
		}
		switch w.text {
		case "i'm", "i've", "i'd", "i'll":
			w.text = "I" + w.text[1:]
		case "i":
			w.text = pronounI(out, i)
		}
	}
}

func pronounI(out []outWord, i int) string {
	w := &out[i]
	switch {
	case i > 0 && out[i-1].text == "are" && out[i-1].punct == "":
		out[i-1].text = "am"
		return "I"
	case i+1 < len(out) && out[i+1].text == "are" && w.punct == "":
		out[i+1].text = "am"
		return "I"
	case w.punct != "" || i == len(out)-1:
		return "me"
	case i > 0 && objectWords[out[i-1].text] && out[i-1].punct == "":
		return "me"
	case i+1 < len(out) && out[i+1].text == "to":
		return "me"
	}
	return "I"
}
