package httpx

import (
	"context"
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"io"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

// refSign computes a signature set independently of Sign.
func refSign(secret string, unix int64, body string) string {
	m := hmac.New(sha256.New, []byte(secret))
	fmt.Fprintf(m, "%d.%s", unix, body)
	return fmt.Sprintf("t=%d,v1=%s", unix, hex.EncodeToString(m.Sum(nil)))
}

func TestSignKnownVectors(t *testing.T) {
	// Computed with: printf '%s' '1709686052.{"id":"inq_1"}' | openssl dgst -sha256 -hmac wbhsec_test
	assert.Equal(t, "t=1709686052,v1=9ef2f3568e478f8152172f23e9e385dd984f80c9174e2df071d0b1f9cbd0ae68",
		Sign("wbhsec_test", testNow, []byte(`{"id":"inq_1"}`)))
	assert.Equal(t, "t=1709686052,v1=eb663a48eb9710e8cffa1192651a16cd79c0a04c78fd9dc7af5d855e1c4bd344",
		Sign("wbhsec_test", testNow, nil))
	assert.Equal(t, refSign("other", 1700000000, "x"), Sign("other", time.Unix(1700000000, 0), []byte("x")))
}

func TestVerify(t *testing.T) {
	body := `{"data":{"id":"evt_1"}}`
	good := refSign("new", testNow.Unix(), body)
	old := refSign("old", testNow.Unix(), body)
	tests := []struct {
		name    string
		header  string
		body    string
		secrets []string
		now     time.Time
		want    error
		msg     string
	}{
		{"valid", good, body, []string{"new"}, testNow, nil, ""},
		{"rotation: second set matches", old + " " + good, body, []string{"new"}, testNow, nil, ""},
		{"rotation: old secret still configured", good, body, []string{"old", "new"}, testNow, nil, ""},
		{"within tolerance", good, body, []string{"new"}, testNow.Add(4 * time.Minute), nil, ""},
		{"wrong secret", good, body, []string{"nope"}, testNow, ErrSignatureMismatch, "signature: no signature matches"},
		{"tampered body", good, body + " ", []string{"new"}, testNow, ErrSignatureMismatch, ""},
		{"stale", good, body, []string{"new"}, testNow.Add(6 * time.Minute), ErrStaleSignature,
			"signature: timestamp outside the tolerance: t=1709686052 is 6m0s from now, tolerance 5m0s"},
		{"from the future", good, body, []string{"new"}, testNow.Add(-6 * time.Minute), ErrStaleSignature, ""},
		{"empty", "  ", body, []string{"new"}, testNow, ErrNoSignature, "signature: header is empty"},
		{"no secrets", good, body, nil, testNow, ErrNoSecrets, "signature: no secrets configured"},
		{"empty secret ignored", good, body, []string{""}, testNow, ErrSignatureMismatch, ""},
		{"no t", "v1=abcd", body, []string{"new"}, testNow, ErrMalformedSignature,
			"signature: malformed header: no t= timestamp"},
		{"no v1", "t=1709686052", body, []string{"new"}, testNow, ErrMalformedSignature,
			"signature: malformed header: no v1= signature"},
		{"bad t", "t=soon,v1=ab", body, []string{"new"}, testNow, ErrMalformedSignature,
			`signature: malformed header: bad or repeated timestamp "soon"`},
		{"no =", "t=1,v1", body, []string{"new"}, testNow, ErrMalformedSignature,
			`signature: malformed header: pair "v1" has no "="`},
		{"bad hex", "t=1709686052,v1=zz", body, []string{"new"}, testNow, ErrMalformedSignature,
			`signature: malformed header: v1 "zz" is not hex`},
		{"too long", "t=1,v1=" + strings.Repeat("a", 5000), body, []string{"new"}, testNow, ErrMalformedSignature,
			"signature: malformed header: longer than 4096 bytes"},
		{"too many sets", strings.Repeat(good+" ", 9), body, []string{"new"}, testNow, ErrMalformedSignature,
			"signature: malformed header: more than 8 sets"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := Verify(tt.header, []byte(tt.body), tt.secrets, tt.now, 0)
			if tt.want == nil {
				assert.NoError(t, err)
				return
			}
			assert.ErrorIs(t, err, tt.want)
			if tt.msg != "" {
				assert.EqualError(t, err, tt.msg)
			}
		})
	}
}

func TestVerifyCustomTolerance(t *testing.T) {
	h := refSign("s", testNow.Unix(), "b")
	assert.NoError(t, Verify(h, []byte("b"), []string{"s"}, testNow.Add(50*time.Second), time.Minute))
	assert.ErrorIs(t, Verify(h, []byte("b"), []string{"s"}, testNow.Add(70*time.Second), time.Minute),
		ErrStaleSignature)
}

func TestSignedRequestVerifiedByServer(t *testing.T) {
	for _, method := range []string{"POST", "GET"} {
		t.Run(method, func(t *testing.T) {
			var header, body string
			srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
				b, _ := io.ReadAll(r.Body)
				header, body = r.Header.Get("Persona-Signature"), string(b)
			})
			c, _ := newTestClient()
			req := Request{Method: method, URL: srv.URL, SignSecret: "whsec"}
			if method == "POST" {
				req.JSON = map[string]any{"id": "inq_1"}
			}
			_, err := c.Do(context.Background(), req)
			require.NoError(t, err)
			assert.Equal(t, refSign("whsec", testNow.Unix(), body), header)
			assert.NoError(t, Verify(header, []byte(body), []string{"whsec"}, testNow, 0))
		})
	}
}
