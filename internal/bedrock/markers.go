package bedrock

import (
	"regexp"
	"strings"
)

// The prompt-template families (Llama, Mistral text) send Bedrock one string
// in which the template's control tokens and the conversation's text sit side
// by side. The model's tokenizer reads a control token's spelling as that
// token wherever it appears, so text that spells one could end the user's
// turn and open a system turn of its own. Conversation text (the system
// prompt included) therefore goes through the family's templateMarkers
// before it is placed in the template. The messages formats (Anthropic,
// Nova, Mistral chat) are sent as they are: there the service applies the
// template, and Mistral's reference encoder (mistral-common) encodes message
// text as plain text, never as control tokens. That is known from the
// reference encoder, not observed inside Bedrock.

// templateMarkers finds the spellings of a template's control tokens.
type templateMarkers struct {
	re    *regexp.Regexp
	first string // the bytes a marker can start with: text without them is left as is
}

// escape breaks every marker in text by putting a space after its first
// byte: "[INST]" becomes "[ INST]", "<|eot_id|>" becomes "< |eot_id|>". The
// text stays readable and the result holds no marker: no marker contains a
// space, and markers cannot overlap, so the inserted spaces cannot form new
// ones.
func (m templateMarkers) escape(text string) string {
	if !strings.ContainsAny(text, m.first) {
		return text
	}
	return m.re.ReplaceAllStringFunc(text, func(s string) string { return s[:1] + " " + s[1:] })
}

// llamaMarkers: every special token of the Llama 3 and Llama 4 tokenizers
// is spelled "<|name|>" (<|eot_id|>, <|start_header_id|>, <|header_start|>,
// <|python_tag|>, <|image|>, <|reserved_special_token_N|> ...), so breaking
// each "<|" breaks them all, present and future.
var llamaMarkers = templateMarkers{re: regexp.MustCompile(`<\|`), first: "<"}

// mistralMarkers are the control tokens of the Mistral tokenizers behind
// Bedrock's Mistral text models (mistral-common's v1, v2/v3 SentencePiece
// and Tekken):
//   - <s>, </s>, <unk>, <pad>;
//   - every bracketed upper-case name and its closing form: [INST], [/INST],
//     [SYSTEM_PROMPT], [AVAILABLE_TOOLS], [TOOL_CALLS], [TOOL_RESULTS],
//     [TOOL_CONTENT], [IMG], [IMG_BREAK], [IMG_END], [PREFIX], [MIDDLE],
//     [SUFFIX], [ARGS], [CALL_ID], [THINK] ... (a pattern, not a list, so a
//     token added by a later tokenizer is covered too);
//   - the unnamed slots: [control_N] (SentencePiece v3) and <SPECIAL_N>
//     (Tekken).
//
// In the v1 template [INST] is plain text rather than a token, which makes
// escaping it no less necessary. Text such as "[NOTE]" also gains a space;
// the model reads it the same.
var mistralMarkers = templateMarkers{
	re:    regexp.MustCompile(`\[/?[A-Z][A-Z0-9_]*\]|\[control_[0-9]+\]|</?s>|<unk>|<pad>|<SPECIAL_[0-9]+>`),
	first: "[<",
}
