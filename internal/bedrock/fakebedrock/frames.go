package fakebedrock

import (
	"bytes"
	"encoding/base64"
	"encoding/binary"
	"encoding/json"
	"hash/crc32"
	"io"
	"net/http"

	"github.com/aws/aws-sdk-go-v2/aws/protocol/eventstream"
)

// frameWriter encodes eventstream frames, one flush per frame.
type frameWriter struct {
	w   io.Writer
	rc  *http.ResponseController
	enc *eventstream.Encoder
	buf bytes.Buffer
}

func (fw *frameWriter) chunk(payload []byte) error {
	fw.buf.Reset()
	fw.buf.WriteString(`{"bytes":"`)
	b64 := base64.StdEncoding
	fw.buf.Grow(b64.EncodedLen(len(payload)) + 2)
	enc := fw.buf.AvailableBuffer()[:b64.EncodedLen(len(payload))]
	b64.Encode(enc, payload)
	fw.buf.Write(enc)
	fw.buf.WriteString(`"}`)
	var msg eventstream.Message
	msg.Headers.Set(":event-type", eventstream.StringValue("chunk"))
	msg.Headers.Set(":content-type", eventstream.StringValue("application/json"))
	msg.Headers.Set(":message-type", eventstream.StringValue("event"))
	msg.Payload = fw.buf.Bytes()
	return fw.write(msg)
}

func (fw *frameWriter) exception(excType, message string) error {
	b, _ := json.Marshal(map[string]string{"message": message})
	var msg eventstream.Message
	msg.Headers.Set(":exception-type", eventstream.StringValue(excType))
	msg.Headers.Set(":content-type", eventstream.StringValue("application/json"))
	msg.Headers.Set(":message-type", eventstream.StringValue("exception"))
	msg.Payload = b
	return fw.write(msg)
}

// prelude writes only the 12-byte prelude of a frame announcing total
// bytes (no headers), with its valid checksum, and none of the rest.
func (fw *frameWriter) prelude(total uint32) error {
	var b [12]byte
	binary.BigEndian.PutUint32(b[0:4], total)
	binary.BigEndian.PutUint32(b[8:12], crc32.ChecksumIEEE(b[:8]))
	if _, err := fw.w.Write(b[:]); err != nil {
		return err
	}
	return fw.rc.Flush()
}

func (fw *frameWriter) write(msg eventstream.Message) error {
	if err := fw.enc.Encode(fw.w, msg); err != nil {
		return err
	}
	return fw.rc.Flush()
}
