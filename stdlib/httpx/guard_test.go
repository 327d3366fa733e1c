package httpx

import (
	"context"
	"errors"
	"net/http"
	"net/netip"
	"strings"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"
)

func TestClassify(t *testing.T) {
	tests := []struct {
		addr, class string
	}{
		{"127.0.0.1", classLoopback},
		{"127.5.5.5", classLoopback},
		{"::1", classLoopback},
		{"10.0.0.1", classPrivate},
		{"10.255.255.1", classPrivate},
		{"172.16.0.1", classPrivate},
		{"172.31.255.255", classPrivate},
		{"172.32.0.1", classPublic},
		{"192.168.1.1", classPrivate},
		{"198.18.0.1", classPrivate},
		{"fc00::1", classPrivate},
		{"fd12:3456::1", classPrivate},
		{"fec0::1", classPrivate},
		{"100.64.0.1", classCGNAT},
		{"100.127.255.255", classCGNAT},
		{"100.128.0.1", classPublic},
		{"169.254.169.254", classLinkLocal},
		{"fe80::1", classLinkLocal},
		{"fe80::1%eth0", classLinkLocal},
		{"0.0.0.0", classUnspecified},
		{"0.1.2.3", classUnspecified},
		{"::", classUnspecified},
		{"224.0.0.1", classLinkLocal},
		{"239.1.2.3", classMulticast},
		{"ff0e::1", classMulticast},
		{"255.255.255.255", classBroadcast},
		{"240.0.0.1", classReserved},
		{"2001:0:4136:e378::1", classReserved},
		{"::ffff:127.0.0.1", classLoopback},
		{"::ffff:10.0.0.1", classPrivate},
		{"::ffff:169.254.169.254", classLinkLocal},
		{"::127.0.0.1", classLoopback},
		{"64:ff9b::7f00:1", classLoopback},
		{"64:ff9b::a9fe:a9fe", classLinkLocal},
		{"64:ff9b:1::1", classPrivate},
		{"2002:7f00:1::1", classLoopback},
		{"2002:c0a8:101::1", classPrivate},
		{"8.8.8.8", classPublic},
		{"2606:4700:4700::1111", classPublic},
		{"64:ff9b::808:808", classPublic},
		{"::ffff:1.1.1.1", classPublic},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			assert.Equal(t, tt.class, classify(netip.MustParseAddr(tt.addr)))
		})
	}
}

func TestCheckAddrHonoursSettings(t *testing.T) {
	tests := []struct {
		addr              string
		loopback, private bool
		want              string
	}{
		{"127.0.0.1", false, false, "refusing to connect to 127.0.0.1 (loopback); allow this host with --allow-host HOST:PORT, or every loopback address with --allow-loopback"},
		{"127.0.0.1", true, false, ""},
		{"127.0.0.1", false, true, "refusing to connect to 127.0.0.1 (loopback); allow this host with --allow-host HOST:PORT, or every loopback address with --allow-loopback"},
		{"10.0.0.1", true, false, "refusing to connect to 10.0.0.1 (private); allow this host with --allow-host HOST:PORT, or every private address with --allow-private"},
		{"10.0.0.1", false, true, ""},
		{"100.64.0.1", false, false, "refusing to connect to 100.64.0.1 (cgnat); allow this host with --allow-host HOST:PORT, or every cgnat address with --allow-private"},
		{"100.64.0.1", false, true, ""},
		{"169.254.169.254", true, true,
			"refusing to connect to 169.254.169.254 (link-local); allow this host with --allow-host HOST:PORT"},
		{"0.0.0.0", true, true, "refusing to connect to 0.0.0.0 (unspecified); allow this host with --allow-host HOST:PORT"},
		{"239.1.2.3", true, true, "refusing to connect to 239.1.2.3 (multicast); allow this host with --allow-host HOST:PORT"},
		{"255.255.255.255", true, true,
			"refusing to connect to 255.255.255.255 (broadcast); allow this host with --allow-host HOST:PORT"},
		{"8.8.8.8", false, false, ""},
	}
	for _, tt := range tests {
		t.Run(tt.addr, func(t *testing.T) {
			err := checkAddr(netip.MustParseAddr(tt.addr), tt.loopback, tt.private)
			if tt.want == "" {
				assert.NoError(t, err)
				return
			}
			assert.EqualError(t, err, tt.want)
		})
	}
}

func TestDoRefusesLoopbackByDefault(t *testing.T) {
	srv, calls := countingServer(t, func(w http.ResponseWriter, r *http.Request) {})
	c, fs := newTestClient(func(cfg *Config) { cfg.AllowLoopback = false })
	resp, err := c.Do(context.Background(), Request{URL: srv.URL, Retries: 3})
	host := strings.TrimPrefix(srv.URL, "http://")
	assert.EqualError(t, err, "http.get: refusing to connect to 127.0.0.1 (loopback); allow this host with --allow-host "+host+
		", or every loopback address with --allow-loopback")
	assert.Nil(t, resp)
	var refused *RefusedError
	require.True(t, errors.As(err, &refused))
	assert.Equal(t, "loopback", refused.Class)
	assert.Equal(t, int32(0), calls.Load(), "no request reached the server")
	assert.Empty(t, fs.recorded(), "a refusal is not retried")
}

func TestDoRefusesNamesResolvingToLoopback(t *testing.T) {
	srv, calls := countingServer(t, func(w http.ResponseWriter, r *http.Request) {})
	c, _ := newTestClient(func(cfg *Config) { cfg.AllowLoopback = false })
	url := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	_, err := c.Do(context.Background(), Request{Name: "http.request", URL: url})
	require.Error(t, err)
	assert.Regexp(t, `^http\.request: refusing to connect to (127\.0\.0\.1|::1) \(loopback\)`, err.Error())
	assert.Equal(t, int32(0), calls.Load())
}

func TestDoRefusesEachClassBeforeConnecting(t *testing.T) {
	// The check runs before connect, so these addresses are never dialed.
	tests := []struct{ url, want string }{
		{"http://10.255.255.1/", "http.get: refusing to connect to 10.255.255.1 (private); allow this host with --allow-host 10.255.255.1:80, or every private address with --allow-private"},
		{"http://172.16.0.1/", "http.get: refusing to connect to 172.16.0.1 (private); allow this host with --allow-host 172.16.0.1:80, or every private address with --allow-private"},
		{"https://192.168.0.1/", "http.get: refusing to connect to 192.168.0.1 (private); allow this host with --allow-host 192.168.0.1:443, or every private address with --allow-private"},
		{"http://100.64.0.1/", "http.get: refusing to connect to 100.64.0.1 (cgnat); allow this host with --allow-host 100.64.0.1:80, or every cgnat address with --allow-private"},
		{"http://169.254.169.254/latest/meta-data/",
			"http.get: refusing to connect to 169.254.169.254 (link-local); allow this host with --allow-host 169.254.169.254:80"},
		{"http://0.0.0.0/", "http.get: refusing to connect to 0.0.0.0 (unspecified); allow this host with --allow-host 0.0.0.0:80"},
		{"http://[::ffff:127.0.0.1]/", "http.get: refusing to connect to 127.0.0.1 (loopback); allow this host with --allow-host [::ffff:127.0.0.1]:80, or every loopback address with --allow-loopback"},
		{"http://[fd00::1]:8080/", "http.get: refusing to connect to fd00::1 (private); allow this host with --allow-host [fd00::1]:8080, or every private address with --allow-private"},
	}
	c, fs := newTestClient(func(cfg *Config) { cfg.AllowLoopback = false })
	for _, tt := range tests {
		t.Run(tt.url, func(t *testing.T) {
			_, err := c.Do(context.Background(), Request{URL: tt.url, Retries: 2})
			assert.EqualError(t, err, tt.want)
		})
	}
	assert.Empty(t, fs.recorded())
}

func TestAllowHostsExemptsExactNames(t *testing.T) {
	srv, calls := countingServer(t, func(w http.ResponseWriter, r *http.Request) {})
	c, _ := newTestClient(func(cfg *Config) {
		cfg.AllowLoopback = false
		cfg.AllowHosts = []string{"LocalHost."}
	})
	url := strings.Replace(srv.URL, "127.0.0.1", "localhost", 1)
	resp, err := c.Do(context.Background(), Request{URL: url})
	require.NoError(t, err)
	assert.Equal(t, 200, resp.Status)
	assert.Equal(t, int32(1), calls.Load())

	_, err = c.Do(context.Background(), Request{URL: srv.URL})
	assert.ErrorContains(t, err, "(loopback)", "the address itself is still checked")
}

func TestRedirectToLoopbackRefused(t *testing.T) {
	target, targetCalls := countingServer(t, func(w http.ResponseWriter, r *http.Request) {})
	start, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/internal", http.StatusFound)
	})
	c, _ := newTestClient(func(cfg *Config) {
		cfg.AllowLoopback = false
		cfg.AllowHosts = []string{"localhost"}
	})
	url := strings.Replace(start.URL, "127.0.0.1", "localhost", 1)
	_, err := c.Do(context.Background(), Request{URL: url})
	assert.EqualError(t, err, "http.get: refusing to connect to 127.0.0.1 (loopback); allow this host with --allow-host "+
		strings.TrimPrefix(target.URL, "http://")+", or every loopback address with --allow-loopback")
	assert.Equal(t, int32(0), targetCalls.Load())
}

// An allowance with a port opens that host and port only: another port of
// the same address is still refused, and so is a redirect to it.
func TestAllowHostWithAPort(t *testing.T) {
	srv, calls := countingServer(t, func(w http.ResponseWriter, r *http.Request) {})
	other, otherCalls := countingServer(t, func(w http.ResponseWriter, r *http.Request) {})
	jump, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) { http.Redirect(w, r, other.URL, http.StatusFound) })
	c, _ := newTestClient(func(cfg *Config) {
		cfg.AllowLoopback = false
		cfg.AllowHosts = []string{strings.TrimPrefix(srv.URL, "http://"), strings.TrimPrefix(jump.URL, "http://")}
	})
	resp, err := c.Do(context.Background(), Request{URL: srv.URL})
	require.NoError(t, err)
	assert.Equal(t, 200, resp.Status)
	assert.Equal(t, int32(1), calls.Load())

	_, err = c.Do(context.Background(), Request{URL: other.URL})
	assert.ErrorContains(t, err, "(loopback); allow this host with --allow-host "+strings.TrimPrefix(other.URL, "http://"))
	_, err = c.Do(context.Background(), Request{URL: jump.URL})
	assert.ErrorContains(t, err, "(loopback)", "a redirect to a port not allowed is refused")
	assert.Equal(t, int32(0), otherCalls.Load())
}

func TestRedirectDropsHeadersAcrossHosts(t *testing.T) {
	var got http.Header
	target, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) { got = r.Header.Clone() })
	start, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, target.URL+"/next", http.StatusFound)
	})
	c, _ := newTestClient()
	resp, err := c.Do(context.Background(), Request{URL: start.URL, SignSecret: "s",
		Headers: map[string]string{"X-Key": "k", "Accept": "application/json"}})
	require.NoError(t, err)
	assert.Equal(t, 200, resp.Status)
	require.NotNil(t, got)
	assert.Empty(t, got.Get("X-Key"))
	assert.Empty(t, got.Get(signatureHeader))
	assert.Equal(t, "application/json", got.Get("Accept"))
}

func TestRedirectKeepsHeadersOnSameHost(t *testing.T) {
	var got http.Header
	srv, _ := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/" {
			http.Redirect(w, r, "/next", http.StatusFound)
			return
		}
		got = r.Header.Clone()
	})
	c, _ := newTestClient()
	_, err := c.Do(context.Background(), Request{URL: srv.URL, Headers: map[string]string{"X-Key": "k"}})
	require.NoError(t, err)
	require.NotNil(t, got)
	assert.Equal(t, "k", got.Get("X-Key"))
}

func TestRedirectLimit(t *testing.T) {
	srv, calls := countingServer(t, func(w http.ResponseWriter, r *http.Request) {
		http.Redirect(w, r, "/again", http.StatusFound)
	})
	c, fs := newTestClient()
	_, err := c.Do(context.Background(), Request{URL: srv.URL, Retries: 2})
	assert.EqualError(t, err, "http.get: stopped after 10 redirects")
	assert.Equal(t, int32(maxRedirects), calls.Load())
	assert.Empty(t, fs.recorded())
}
