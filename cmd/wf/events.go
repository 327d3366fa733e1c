package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/wf-lang/wf/internal/readfile"
	"github.com/wf-lang/wf/interp"
	"github.com/wf-lang/wf/runtime"
	"github.com/wf-lang/wf/stdlib/httpx"
)

// EventsCmd is `wf events …`.
type EventsCmd struct {
	Send EventsSendCmd `cmd:"" help:"Send an event file to a running wf serve as a signed Persona webhook."`
}

// EventsSendCmd is `wf events send FILE --to URL`.
type EventsSendCmd struct {
	File     string        `arg:"" help:"The event: a Persona webhook body (see examples/events)." type:"existingfile"`
	To       string        `help:"The service's base URL." default:"http://127.0.0.1:8080" env:"WF_URL" placeholder:"URL"`
	Secret   string        `help:"The webhook secret to sign with (the service's --webhook-secret)." env:"WF_WEBHOOK_SECRET" required:"" placeholder:"SECRET"`
	Endpoint string        `help:"The named webhook endpoint (POST /webhooks/persona/NAME); the default one when empty." placeholder:"NAME"`
	Timeout  time.Duration `help:"How long to wait for the answer." default:"10s"`
}

// Run signs the file as Persona does (Persona-Signature: t=…,v1=HMAC-SHA256
// over "t.body") and posts it.
func (c *EventsSendCmd) Run(g *Globals) error {
	body, err := readfile.Read(c.File, interp.MaxJSONInput)
	if err != nil {
		return fail(exitUsage, "wf events send: %v", err)
	}
	if _, err := runtime.DecodeEvent(body); err != nil {
		return fail(exitUsage, "wf events send: %s: %v", c.File, err)
	}
	url := strings.TrimSuffix(c.To, "/") + "/webhooks/persona"
	if c.Endpoint != "" {
		url += "/" + c.Endpoint
	}
	ctx, cancel := context.WithTimeout(context.Background(), c.Timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fail(exitUsage, "wf events send: %v", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("Persona-Signature", httpx.Sign(c.Secret, time.Now(), body))
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fail(exitFailed, "wf events send: %v", err)
	}
	defer resp.Body.Close()
	answer, _ := io.ReadAll(io.LimitReader(resp.Body, 1<<20))
	fmt.Fprintf(g.stdout, "%s %s\n%s", resp.Proto, resp.Status, answer)
	if resp.StatusCode/100 != 2 {
		return fail(exitFailed, "wf events send: the service answered %s", resp.Status)
	}
	return nil
}
