package httpx

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"strings"
	"syscall"
	"time"
)

// Address classes refused by default; the empty class is a public address.
const (
	classPublic      = ""
	classLoopback    = "loopback"
	classPrivate     = "private"
	classCGNAT       = "cgnat"
	classLinkLocal   = "link-local"
	classUnspecified = "unspecified"
	classMulticast   = "multicast"
	classBroadcast   = "broadcast"
	classReserved    = "reserved"
)

// The settings refusal errors name: wf's flags (each also an environment
// variable and a key of the --config file).
const (
	flagLoopback = "--allow-loopback"
	flagPrivate  = "--allow-private"
	flagHost     = "--allow-host"
)

var (
	prefixThisNet   = netip.MustParsePrefix("0.0.0.0/8")
	prefixCGNAT     = netip.MustParsePrefix("100.64.0.0/10")
	prefixBench     = netip.MustParsePrefix("198.18.0.0/15")
	prefixClassE    = netip.MustParsePrefix("240.0.0.0/4")
	prefixNAT64     = netip.MustParsePrefix("64:ff9b::/96")
	prefixNAT64Loc  = netip.MustParsePrefix("64:ff9b:1::/48")
	prefix6to4      = netip.MustParsePrefix("2002::/16")
	prefixTeredo    = netip.MustParsePrefix("2001::/32")
	prefixSiteLocal = netip.MustParsePrefix("fec0::/10")
	prefixCompat    = netip.MustParsePrefix("::/96")
	addrBroadcast   = netip.MustParseAddr("255.255.255.255")
)

// RefusedError reports a connection the address checks refused. Do wraps it,
// so errors.As finds it.
type RefusedError struct {
	Addr  netip.Addr // the resolved address that was about to be dialed
	Class string     // loopback, private, cgnat, link-local, unspecified, multicast, broadcast or reserved
	// Flag is the setting that allows the whole class (--allow-loopback,
	// --allow-private), or "" when only --allow-host can.
	Flag string
	// Host is the host and port asked for ("localhost:8080"), when known.
	Host string
}

// Error reads "refusing to connect to 127.0.0.1 (loopback); allow this
// host with --allow-host localhost:8080, or every loopback address with
// --allow-loopback".
func (e *RefusedError) Error() string {
	host := e.Host
	if host == "" {
		host = "HOST:PORT"
	}
	msg := fmt.Sprintf("refusing to connect to %s (%s); allow this host with %s %s", e.Addr, e.Class, flagHost, host)
	if e.Flag != "" {
		msg += fmt.Sprintf(", or every %s address with %s", e.Class, e.Flag)
	}
	return msg
}

// classify names the class of a, looking through IPv6 forms that embed an
// IPv4 address.
func classify(a netip.Addr) string {
	a = a.WithZone("")
	if v4, ok := embeddedIPv4(a); ok {
		return classify(v4)
	}
	switch {
	case a.IsUnspecified() || prefixThisNet.Contains(a):
		return classUnspecified
	case a.IsLoopback():
		return classLoopback
	case a.IsLinkLocalUnicast() || a.IsLinkLocalMulticast():
		return classLinkLocal
	case a.IsMulticast():
		return classMulticast
	case a == addrBroadcast:
		return classBroadcast
	case prefixCGNAT.Contains(a):
		return classCGNAT
	case a.IsPrivate() || prefixBench.Contains(a) || prefixNAT64Loc.Contains(a) || prefixSiteLocal.Contains(a):
		return classPrivate
	case prefixClassE.Contains(a) || prefixTeredo.Contains(a):
		return classReserved
	}
	return classPublic
}

// embeddedIPv4 extracts the IPv4 address carried by an IPv4-mapped,
// IPv4-compatible, NAT64 or 6to4 IPv6 address.
func embeddedIPv4(a netip.Addr) (netip.Addr, bool) {
	if !a.Is6() {
		return netip.Addr{}, false
	}
	if a.Is4In6() {
		return a.Unmap(), true
	}
	b := a.As16()
	switch {
	case prefixNAT64.Contains(a):
		return netip.AddrFrom4([4]byte(b[12:16])), true
	case prefixCompat.Contains(a) && !a.IsUnspecified() && !a.IsLoopback():
		return netip.AddrFrom4([4]byte(b[12:16])), true
	case prefix6to4.Contains(a):
		return netip.AddrFrom4([4]byte(b[2:6])), true
	}
	return netip.Addr{}, false
}

// checkAddr returns a *RefusedError when the configuration does not allow a.
func checkAddr(a netip.Addr, allowLoopback, allowPrivate bool) error {
	switch class := classify(a); class {
	case classPublic:
		return nil
	case classLoopback:
		if allowLoopback {
			return nil
		}
		return &RefusedError{Addr: a, Class: class, Flag: flagLoopback}
	case classPrivate, classCGNAT:
		if allowPrivate {
			return nil
		}
		return &RefusedError{Addr: a, Class: class, Flag: flagPrivate}
	default:
		return &RefusedError{Addr: a, Class: class}
	}
}

// guard dials connections, checking each resolved address before connecting
// unless the host (with its port, or any port) is listed in AllowHosts.
type guard struct {
	allowLoopback bool
	allowPrivate  bool
	allowHosts    map[string]bool
	checked       net.Dialer
	plain         net.Dialer
}

func newGuard(cfg Config) *guard {
	g := &guard{
		allowLoopback: cfg.AllowLoopback,
		allowPrivate:  cfg.AllowPrivate,
		allowHosts:    make(map[string]bool, len(cfg.AllowHosts)),
	}
	for _, h := range cfg.AllowHosts {
		g.allowHosts[normalAllowance(h)] = true
	}
	g.plain = net.Dialer{Timeout: 30 * time.Second, KeepAlive: 30 * time.Second}
	g.checked = g.plain
	g.checked.ControlContext = g.control
	return g
}

// DialContext is the transport's dial function.
func (g *guard) DialContext(ctx context.Context, network, addr string) (net.Conn, error) {
	host, port, err := net.SplitHostPort(addr)
	if err == nil && (g.allowHosts[normalHost(host)] || g.allowHosts[normalHost(host)+" "+port]) {
		return g.plain.DialContext(ctx, network, addr)
	}
	conn, err := g.checked.DialContext(ctx, network, addr)
	var refused *RefusedError
	if errors.As(err, &refused) {
		refused.Host = addr // the hint names what was asked for
	}
	return conn, err
}

// control runs after name resolution and before connect, once per address.
func (g *guard) control(_ context.Context, _, address string, _ syscall.RawConn) error {
	ap, err := netip.ParseAddrPort(address)
	if err != nil {
		return fmt.Errorf("cannot check dialed address %q", address)
	}
	return checkAddr(ap.Addr(), g.allowLoopback, g.allowPrivate)
}

// normalHost is a host name or address as allowances compare it: lower
// case, without brackets or a final dot.
func normalHost(h string) string {
	return strings.TrimSuffix(strings.ToLower(strings.Trim(h, "[]")), ".")
}

// normalAllowance is an AllowHosts entry as the guard keys it: HOST, or
// HOST and PORT apart by a space (no host holds one) for HOST:PORT, with
// HOST normalized.
func normalAllowance(entry string) string {
	entry = strings.TrimSpace(entry)
	if host, port, err := net.SplitHostPort(entry); err == nil {
		return normalHost(host) + " " + port
	}
	return normalHost(entry)
}
