// Package httpx implements the WF `http` module: outbound HTTP requests made as
// recorded steps (`run http.get(…)`, `http.post`, `http.put`, `http.patch`,
// `http.delete`, `http.request`). It sits below the interpreter's run seam:
// module.go declares the WF functions, converting WF values to a [Request] and
// the [Response] back; the rest knows nothing of the store or the language.
// It also holds the `Persona-Signature` scheme ([Sign], [Verify]) shared with
// the webhook receiver.
//
// # Requests
//
// A [Client] built by [New] sends every request through resty with one attempt
// at a time; the retry loop is this package's own. Request.Timeout bounds the
// whole call, retries and waits included (default Config.DefaultTimeout, 30s).
// JSON bodies are encoded here (HTML characters not escaped) so that the signed
// bytes are exactly the sent bytes. GET, HEAD and OPTIONS take no body.
//
// Responses are read up to Config.MaxResponseBytes (default 10 MiB); a longer
// body fails the call. Non-2xx statuses are not errors: the workflow decides.
//
// # Retries
//
// Request.Retries extra attempts (at most Config.MaxRetries, default 10) are
// made after a transport error or a status listed in Request.RetryOn; a nil
// RetryOn means 429, 502, 503 and 504 (never other 4xx, and not 500, which
// often means a request that will fail again). Waits grow exponentially from
// Request.Backoff (default 500ms, capped at 30s) with jitter in the upper half
// of each step, so every wait is at least as long as the one before. A
// Retry-After header (seconds or an HTTP date) replaces the computed wait; one
// longer than the timeout ends the call at once. Refused addresses, oversized
// responses, certificate errors and redirect-policy errors are not retried.
//
// When retries run out on a status, Do returns the last Response together with
// an error (`http.get: status 503 after 3 attempts`); with Retries 0 the same
// status is returned without error. Whenever Do fails after a response was
// received (out of attempts, timed out while waiting, Retry-After beyond the
// timeout) that response is returned with the error; otherwise it is nil.
//
// # Address checks
//
// The client refuses to connect to non-public addresses. The check runs on the
// resolved address at dial time, so host names that resolve to such an address
// and redirects are covered, and a DNS answer cannot change between check and
// connect. Environment proxies are not used. Each refusal names the wf
// settings that allow it (flags of wf run and wf serve, each also an
// environment variable and a --config key; the field of [Config] in
// brackets): --allow-host for the host asked for, and for some classes a
// setting that opens the whole class:
//
//	loopback        127.0.0.0/8, ::1                          --allow-loopback (AllowLoopback)
//	private         10/8, 172.16/12, 192.168/16, fc00::/7,
//	                fec0::/10, 198.18/15, 64:ff9b:1::/48       --allow-private (AllowPrivate)
//	cgnat           100.64.0.0/10                             --allow-private (AllowPrivate)
//	link-local      169.254/16 (cloud metadata), fe80::/10    --allow-host only
//	unspecified     0.0.0.0/8, ::                             --allow-host only
//	multicast       224/4, ff00::/8                           --allow-host only
//	broadcast       255.255.255.255                           --allow-host only
//	reserved        240/4, 2001::/32 (Teredo)                 --allow-host only
//
// IPv4 addresses embedded in IPv6 (IPv4-mapped ::ffff:0:0/96, IPv4-compatible
// ::/96, NAT64 64:ff9b::/96, 6to4 2002::/16) are checked as the IPv4 address.
// --allow-host (AllowHosts) lists hosts as written in URLs, HOST (any port)
// or HOST:PORT, whose addresses are not checked; every other host and port,
// a redirect's target included, still is. Prefer it to --allow-loopback,
// which opens every loopback address and port. Link-local stays outside
// --allow-private so that a private-network deployment does not open the
// cloud metadata endpoint by accident.
//
// On a redirect to another host (or port) every header except User-Agent,
// Accept and Content-Type is dropped, so API keys and signatures are not sent
// to a third party. At most 10 redirects are followed, to http or https only.
//
// # Signing
//
// When Request.SignSecret is set, every attempt carries a `Persona-Signature`
// header `t=<unix>,v1=<hex HMAC-SHA256(secret, "<t>.<body>")>` computed at
// send time with Config.Now. Requests without a body (GET, HEAD, OPTIONS, or a
// bodiless DELETE or POST) are signed over the empty body, so the receiver can
// still check the timestamp and the secret.
package httpx
