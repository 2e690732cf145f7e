// Package eliza is the gateway's built-in model: Joseph Weizenbaum's ELIZA
// (Communications of the ACM 9(1), 1966), answering with a script of our
// own, "the listener", a Rogerian listener in the spirit of DOCTOR.
//
// # The algorithm
//
// The engine follows the 1966 paper and the 1965 MAD-SLIP listing:
//
//   - The input is lower-cased and split into words. The characters
//     . , ? ! ; : … and dashes are clause delimiters, and so is the word
//     "but"; other punctuation is dropped.
//   - LIMIT starts at 1 and advances 1→2→3→4→1 at the start of every turn.
//   - The words are scanned left to right. Each is looked up as a keyword
//     (by the word as typed) and then replaced by its substitution, once. A
//     keyword whose rank is strictly greater than the best so far goes on
//     top of the keystack, any other to the bottom, so on a tie the earliest
//     stays on top. At a delimiter, the clause so far is dropped if it had no
//     keyword; otherwise the rest of the input is. The first clause with a
//     keyword is what gets answered.
//   - With no keyword, the reply is the oldest queued memory if LIMIT is 4
//     and the queue is not empty, and the next NONE reply otherwise.
//   - Otherwise the top keyword's decomposition rules are tried in order.
//     Popping the MEMORY keyword first lays down a memory: the form chosen
//     by SLIP's HASH of the last word's last six-character cell, encoded in
//     IBM 7090 BCD, transforms the text and the result joins a FIFO queue.
//   - The first rule that matches picks its next template; each rule cycles
//     through its templates with its own cursor. A template replies, goes
//     on with another keyword's rules (goto, the paper's =X), rewrites the
//     text and then goes on (PRE), or goes on with the next keyword on the
//     keystack (NEWKEY; NONE if there is none). A link rule (a decomposition
//     =X) hands the keyword over to another one's rules.
//   - If none of a keyword's rules matches, the reply is one of four
//     fillers, chosen by LIMIT, as in the 1965 listing.
//
// The matcher is ELIZA's segment matcher, not a backtracking one: see match.
// Patterns see the text after substitution, and no substitution is applied
// to replies: templates are written in ELIZA's own voice.
//
// # State
//
// A Model holds only the compiled script. Reply (and Stream) rebuild a
// conversation's whole state, the template cursors, LIMIT, the NONE cursor
// and the memory queue, by replaying its user messages from the start, so
// the same conversation always gets the same answer and two conversations
// never affect each other.
//
// # Replies
//
// ELIZA printed upper-case words separated by spaces. This engine writes
// the script's words as the script spells them and the user's words in
// lower case; it writes the user's "i" as "I" (or "me" where it reads as
// an object) and mends "i are" into "I am"; it capitalises the first letter
// and ends the reply with the template's punctuation, or a period.
//
// # Script format
//
// A script is UTF-8 text, one directive per line. Indentation is only for
// the reader, blank lines are ignored and a line whose first non-blank
// character is # is a comment. Keywords, substitutions, tags and patterns
// are case-insensitive; templates keep their case. The directives:
//
//	greeting TEXT          An opening remark. The first one answers an empty
//	                       conversation; Stream uses them in turn.
//	sub FROM TO            During the scan, the input word FROM becomes TO.
//	swap A B               Shorthand for "sub A B" and "sub B A".
//	tag NAME WORD...       A word class (the paper's DLIST), used in
//	                       patterns as (/NAME). List the words as they are
//	                       after substitution.
//	key WORD [RANK]        A keyword entry (rank 0 if absent); its rules
//	                       follow. A name starting with @ is a group that
//	                       only links and gotos reach.
//	  link KEY             A rule that hands over to KEY's rules (=KEY).
//	  match PATTERN        A decomposition rule; its templates follow.
//	    say TEMPLATE       Reply with the reassembled template.
//	    goto KEY           Go on with KEY's rules on the same text (=KEY).
//	    pre KEY TEMPLATE   Rewrite the text as TEMPLATE, then go on with KEY.
//	    newkey             Go on with the next keyword on the keystack.
//	memory KEY             Names the memory keyword; four lines follow:
//	  remember PATTERN => TEMPLATE
//	none                   The replies when no keyword is found, as say lines.
//	fallback               Four say lines: the reply when no rule of the
//	                       keyword matches, for LIMIT 1 to 4.
//
// A PATTERN is a list of elements, each giving one numbered component:
// 0 (any number of words, even none), n (exactly n words), a literal word,
// (*A B C) (one word from the set) or (/T1 T2) (one word carrying one of
// the tags). A TEMPLATE is words and component numbers; a number may carry
// punctuation, as in "Why do you say your 3?".
//
// Loading checks the whole script and fails with an error wrapping
// ErrScript that names the line: unknown directives, link and goto targets
// and tags; component numbers out of range; rules that can never be
// reached (after a link or a lone 0); links that only lead back to
// themselves; templates with no words of their own (a reply is never empty);
// a memory entry without exactly four forms, and a fallback without four
// replies.
//
// # What it is not
//
// It does not understand anything, learn, or remember across
// conversations: it is pattern matching and reassembly, as in 1966. It is
// not DOCTOR: the listener script is our own text. Requests' temperature,
// top_p and stop settings do not apply to it.
package eliza
