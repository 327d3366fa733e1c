package httpx

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"errors"
	"fmt"
	"strconv"
	"strings"
	"time"
)

// DefaultTolerance is the replay window Verify uses when given zero: Persona
// documents none, so this follows Stripe's five minutes.
const DefaultTolerance = 5 * time.Minute

const (
	maxSignatureHeader = 4096
	maxSignatureSets   = 8
)

// Errors returned by Verify, wrapped with details; test with errors.Is.
var (
	ErrNoSignature        = errors.New("signature: header is empty")
	ErrMalformedSignature = errors.New("signature: malformed header")
	ErrStaleSignature     = errors.New("signature: timestamp outside the tolerance")
	ErrSignatureMismatch  = errors.New("signature: no signature matches")
	ErrNoSecrets          = errors.New("signature: no secrets configured")
)

// Sign returns the Persona-Signature header value for body sent at t:
// `t=<unix>,v1=<hex HMAC-SHA256(secret, "<unix>.<body>")>`.
func Sign(secret string, t time.Time, body []byte) string {
	ts := strconv.FormatInt(t.Unix(), 10)
	return "t=" + ts + ",v1=" + hex.EncodeToString(mac(secret, ts, body))
}

func mac(secret, ts string, body []byte) []byte {
	m := hmac.New(sha256.New, []byte(secret))
	m.Write([]byte(ts))
	m.Write([]byte{'.'})
	m.Write(body)
	return m.Sum(nil)
}

// sigSet is one `t=…,v1=…` set of a header.
type sigSet struct {
	ts string
	t  time.Time
	v1 [][]byte
}

// Verify checks a Persona-Signature header against body. The header holds one
// `t=…,v1=…` set, or two separated by a space while a secret rotates; any v1
// of any set matching any of secrets passes, compared in constant time. A
// matching set whose timestamp is further than tolerance from now (either
// way) fails with ErrStaleSignature; zero tolerance means DefaultTolerance.
func Verify(header string, body []byte, secrets []string, now time.Time, tolerance time.Duration) error {
	if len(secrets) == 0 {
		return ErrNoSecrets
	}
	sets, err := parseSignature(header)
	if err != nil {
		return err
	}
	if tolerance <= 0 {
		tolerance = DefaultTolerance
	}
	var stale *sigSet
	for i := range sets {
		if !sets[i].matches(secrets, body) {
			continue
		}
		if d := now.Sub(sets[i].t); d <= tolerance && d >= -tolerance {
			return nil
		}
		stale = &sets[i]
	}
	if stale != nil {
		return fmt.Errorf("%w: t=%s is %s from now, tolerance %s", ErrStaleSignature, stale.ts,
			now.Sub(stale.t).Abs(), tolerance)
	}
	return ErrSignatureMismatch
}

func (s *sigSet) matches(secrets []string, body []byte) bool {
	ok := false
	for _, secret := range secrets {
		if secret == "" {
			continue
		}
		want := mac(secret, s.ts, body)
		for _, got := range s.v1 {
			ok = hmac.Equal(want, got) || ok
		}
	}
	return ok
}

// parseSignature splits a header into its sets.
func parseSignature(header string) ([]sigSet, error) {
	header = strings.TrimSpace(header)
	switch {
	case header == "":
		return nil, ErrNoSignature
	case len(header) > maxSignatureHeader:
		return nil, fmt.Errorf("%w: longer than %d bytes", ErrMalformedSignature, maxSignatureHeader)
	}
	fields := strings.Fields(header)
	if len(fields) > maxSignatureSets {
		return nil, fmt.Errorf("%w: more than %d sets", ErrMalformedSignature, maxSignatureSets)
	}
	sets := make([]sigSet, 0, len(fields))
	for _, f := range fields {
		s, err := parseSet(f)
		if err != nil {
			return nil, fmt.Errorf("%w: %s", ErrMalformedSignature, err)
		}
		sets = append(sets, s)
	}
	return sets, nil
}

// parseSet parses `t=<unix>,v1=<hex>[,v1=<hex>…]`; unknown keys are ignored.
func parseSet(f string) (sigSet, error) {
	var s sigSet
	for _, pair := range strings.Split(f, ",") {
		k, v, ok := strings.Cut(pair, "=")
		if !ok {
			return s, fmt.Errorf("pair %q has no \"=\"", pair)
		}
		if err := s.add(k, v); err != nil {
			return s, err
		}
	}
	switch {
	case s.ts == "":
		return s, errors.New("no t= timestamp")
	case len(s.v1) == 0:
		return s, errors.New("no v1= signature")
	}
	return s, nil
}

func (s *sigSet) add(k, v string) error {
	switch k {
	case "t":
		sec, err := strconv.ParseInt(v, 10, 64)
		if err != nil || s.ts != "" {
			return fmt.Errorf("bad or repeated timestamp %q", v)
		}
		s.ts, s.t = v, time.Unix(sec, 0)
	case "v1":
		b, err := hex.DecodeString(v)
		if err != nil {
			return fmt.Errorf("v1 %q is not hex", v)
		}
		s.v1 = append(s.v1, b)
	}
	return nil
}
