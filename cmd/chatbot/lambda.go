package main

import (
	"bytes"
	"encoding/json"
	"net/http"
	"time"
)

// reportInitError tells the Lambda Runtime API why initialisation failed, so
// the reason shows in the invocation's error and the function's logs. The
// aws-lambda-go library has no call for this, so it is posted directly, as
// the Runtime API specifies.
func reportInitError(api string, err error) {
	body, _ := json.Marshal(map[string]any{
		"errorMessage": err.Error(),
		"errorType":    "Runtime.ConfigError",
		"stackTrace":   []string{},
	})
	req, rerr := http.NewRequest(http.MethodPost, "http://"+api+"/2018-06-01/runtime/init/error", bytes.NewReader(body))
	if rerr != nil {
		return
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Lambda-Runtime-Function-Error-Type", "Runtime.ConfigError")
	c := &http.Client{Timeout: 2 * time.Second}
	if resp, err := c.Do(req); err == nil {
		resp.Body.Close()
	}
}
