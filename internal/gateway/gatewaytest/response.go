package gatewaytest

// Response is OpenAI's Response object, as far as tests look at it.
type Response struct {
	ID                string                   `json:"id"`
	Object            string                   `json:"object"`
	CreatedAt         int64                    `json:"created_at"`
	Status            string                   `json:"status"`
	Model             string                   `json:"model"`
	Output            []OutputItem             `json:"output"`
	Usage             *ResponseUsage           `json:"usage"`
	Error             *ResponseError           `json:"error"`
	IncompleteDetails *struct{ Reason string } `json:"incomplete_details"`
	Instructions      *string                  `json:"instructions"`
	MaxOutputTokens   *int                     `json:"max_output_tokens"`
	Temperature       *float64                 `json:"temperature"`
	Store             *bool                    `json:"store"`
	User              *string                  `json:"user"`
	Metadata          map[string]string        `json:"metadata"`
}

// OutputItem is an item of a response's output: a message (Content), a
// reasoning item (Summary, EncryptedContent) or a function call.
type OutputItem struct {
	ID               string        `json:"id"`
	Type             string        `json:"type"`
	Status           string        `json:"status"`
	Role             string        `json:"role"`
	Content          []ContentPart `json:"content"`
	Summary          []ContentPart `json:"summary"`
	EncryptedContent *string       `json:"encrypted_content"`
	CallID           string        `json:"call_id"`
	Name             string        `json:"name"`
	Arguments        *string       `json:"arguments"`
}

// ContentPart is a part of a message item.
type ContentPart struct {
	Type        string `json:"type"`
	Text        string `json:"text"`
	Annotations []any  `json:"annotations"`
}

// ResponseUsage is a response's token count.
type ResponseUsage struct {
	InputTokens         int `json:"input_tokens"`
	OutputTokens        int `json:"output_tokens"`
	TotalTokens         int `json:"total_tokens"`
	OutputTokensDetails *struct {
		ReasoningTokens *int `json:"reasoning_tokens"`
	} `json:"output_tokens_details"`
}

// ResponseError is the error of a failed response.
type ResponseError struct {
	Code    string `json:"code"`
	Message string `json:"message"`
}

// ResponseEvent is one event of a Responses stream.
type ResponseEvent struct {
	Type           string       `json:"type"`
	SequenceNumber *int         `json:"sequence_number"`
	Response       *Response    `json:"response"`
	OutputIndex    *int         `json:"output_index"`
	ContentIndex   *int         `json:"content_index"`
	ItemID         string       `json:"item_id"`
	Item           *OutputItem  `json:"item"`
	Part           *ContentPart `json:"part"`
	SummaryIndex   *int         `json:"summary_index"`
	Delta          *string      `json:"delta"`
	Text           *string      `json:"text"`
	Name           string       `json:"name"`
	Arguments      *string      `json:"arguments"`
}
