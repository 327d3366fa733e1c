package console

import (
	"bytes"
	"encoding/json"
	"fmt"
	"net/http"
	"net/url"

	"github.com/wf-lang/wf/runtime"
)

// The console asks the HTTP API (the service's own handler, in process)
// for what the API offers, as any client would: with the session's bearer
// token, the same validation and the same answers.

// apiError is an error answer of the API.
type apiError struct {
	Status  int
	Code    string
	Message string
	Details any
}

func (e *apiError) Error() string { return fmt.Sprintf("%d %s: %s", e.Status, e.Code, e.Message) }

// recorder is an in-memory http.ResponseWriter for in-process API calls.
type recorder struct {
	header http.Header
	status int
	body   bytes.Buffer
}

func (r *recorder) Header() http.Header { return r.header }

func (r *recorder) WriteHeader(status int) {
	if r.status == 0 {
		r.status = status
	}
}

func (r *recorder) Write(b []byte) (int, error) {
	if r.status == 0 {
		r.status = http.StatusOK
	}
	return r.body.Write(b)
}

// call makes an API request on behalf of the request r's session and
// decodes a 2xx answer into out; any other answer is an *apiError.
func (c *Console) call(r *http.Request, method, path string, query url.Values, out any) error {
	target := path
	if len(query) > 0 {
		target += "?" + query.Encode()
	}
	req, err := http.NewRequestWithContext(r.Context(), method, target, nil)
	if err != nil {
		return err
	}
	req.Header.Set("Authorization", "Bearer "+sessionOf(r).secret)
	req.RemoteAddr = r.RemoteAddr
	rec := &recorder{header: http.Header{}}
	c.svc.Handler().ServeHTTP(rec, req)
	if rec.status < 200 || rec.status > 299 {
		var body struct {
			Error struct {
				Code    string `json:"code"`
				Message string `json:"message"`
				Details any    `json:"details"`
			} `json:"error"`
		}
		if json.Unmarshal(rec.body.Bytes(), &body) != nil || body.Error.Message == "" {
			body.Error.Message = http.StatusText(rec.status)
		}
		return &apiError{Status: rec.status, Code: body.Error.Code, Message: body.Error.Message, Details: body.Error.Details}
	}
	if out == nil {
		return nil
	}
	if err := json.Unmarshal(rec.body.Bytes(), out); err != nil {
		return fmt.Errorf("the API's answer to %s %s could not be read: %w", method, path, err)
	}
	return nil
}

// runList is GET /v1/runs's answer.
type runList struct {
	Runs       []*runtime.Record `json:"runs"`
	NextCursor string            `json:"next_cursor"`
}

// workflowList is GET /v1/workflows's answer.
type workflowList struct {
	Version   string         `json:"version"`
	Workflows []workflowInfo `json:"workflows"`
}

type workflowInfo struct {
	Name     string   `json:"name"`
	Version  string   `json:"version"`
	Triggers []string `json:"triggers"`
	Params   []struct {
		Name     string `json:"name"`
		Type     string `json:"type"`
		Required bool   `json:"required"`
	} `json:"params"`
	Events    []string `json:"events"`
	Schedules []string `json:"schedules"`
}

// eventInfo is GET /v1/events/{id}'s answer.
type eventInfo struct {
	ID         string          `json:"id"`
	Name       string          `json:"name"`
	ReceivedAt string          `json:"received_at"`
	Status     string          `json:"status"`
	Body       json.RawMessage `json:"body"`
	Deliveries []struct {
		Workflow string          `json:"workflow"`
		Status   string          `json:"status"`
		RunID    string          `json:"run_id"`
		Error    json.RawMessage `json:"error"`
	} `json:"deliveries"`
}

// runAnswer is the answer of resume, rerun and cancel.
type runAnswer struct {
	ID     string `json:"id"`
	Status string `json:"status"`
}
