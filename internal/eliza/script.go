package eliza

import "fmt"

// elemKind is the kind of one decomposition pattern element.
type elemKind uint8

const (
	elemAny   elemKind = iota // 0: any number of words, including none
	elemCount                 // n: exactly n words
	elemWord                  // a literal word
	elemSet                   // (*a b c): one word from the set, or (/tag): one word carrying a tag
)

// elem is one element of a decomposition pattern. Every element yields one
// numbered component.
type elem struct {
	kind  elemKind
	n     int                 // elemCount
	word  string              // elemWord
	words map[string]struct{} // elemSet: the set, with tags already expanded to their words
}

// fixed reports whether the element consumes a known number of words.
func (e *elem) fixed() bool { return e.kind != elemAny }

// width is the number of words a fixed element consumes.
func (e *elem) width() int {
	if e.kind == elemCount {
		return e.n
	}
	return 1
}

// piece is one element of a reassembly template: either a word written in
// the script or the number of a decomposition component.
type piece struct {
	word  string // literal text as written in the script (comp == 0)
	comp  int    // component number, 1-based; 0 for a literal
	punct string // punctuation written right after a component number, like the "?" in "3?"
}

// tplKind says what a reassembly template does when it is chosen.
type tplKind uint8

const (
	tplSay    tplKind = iota // build the reply
	tplGoto                  // =X: continue with keyword X on the same text
	tplPre                   // PRE: rebuild the text, then continue with X
	tplNewKey                // NEWKEY: continue with the next keyword on the keystack
)

// template is one reassembly rule.
type template struct {
	kind   tplKind
	pieces []piece  // tplSay, tplPre
	target *keyword // tplGoto, tplPre
	name   string   // target's name until links are resolved
	line   int      // script line, for errors
	rule   *rule    // the rule it belongs to
	index  int      // its position in rule.templates
}

// rule is one decomposition rule of a keyword, with its templates. A rule
// with a link has no pattern and no templates: reaching it in script order
// means "use the linked keyword's rules instead".
type rule struct {
	id        int // index into script.rules, and into a session's cursors
	key       *keyword
	index     int // position in key.rules
	line      int
	pattern   []elem
	templates []*template
	link      *keyword
	linkName  string
}

// keyword is a keyword entry that has rules.
type keyword struct {
	name  string
	rank  int
	line  int
	rules []*rule
}

// memForm is one of the four pattern/template pairs of the MEMORY entry.
type memForm struct {
	pattern []elem
	pieces  []piece
}

// script is a compiled, validated script. It is immutable once built, so one
// script serves any number of concurrent conversations.
type script struct {
	greetings []string
	subs      map[string]string
	tags      map[string][]string // tag name → its words
	keywords  map[string]*keyword
	rules     []*rule // every rule of every keyword, indexed by rule.id
	memKey    *keyword
	memForms  []memForm
	none      [][]piece
	fillers   [][]piece

	maxPattern int // the most elements in any pattern: the components a match needs
}

// numFillers is how many no-match fillers a script has: one per LIMIT value.
const numFillers = 4

// numMemForms is how many pattern/template pairs the MEMORY entry has: the
// hash picks one of them with two bits.
const numMemForms = 4

// scriptError builds a script error that names the line it is about.
func scriptError(line int, format string, args ...any) error {
	return fmt.Errorf("load script: line %d: %s: %w", line, fmt.Sprintf(format, args...), ErrScript)
}
