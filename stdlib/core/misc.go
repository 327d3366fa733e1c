package core

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/hex"

	"github.com/wf-lang/wf/interp"
)

// SecretSource is what the run's environment provides for secret(name).
type SecretSource interface {
	Secret(name string) (string, bool)
}

func miscFuncs() []*interp.Builtin {
	return []*interp.Builtin{
		pure("blank(x: any) -> bool", "Reports whether x is null, an empty or all-space string, an empty list or an empty map (Persona's \"is blank\").",
			`blank(trigger.fields.middle_name)`+"\n"+`blank("  ")  # true`, func(th *T, a *Args) (V, error) { return interp.Blank(a.Value(0)), nil }),
		pure("idempotency_key() -> string", "Returns the idempotency key of the step whose arguments it is in: the run id and the step's key, the same every time the step is performed (a retry, the run continued after a crash). Give it to an API that deduplicates requests, so the step takes effect once. Outside a step's arguments it is an error.",
			`run http.post(url, headers: {"Idempotency-Key": idempotency_key()}, json: body)`, func(th *T, a *Args) (V, error) {
				k := th.IdempotencyKey()
				if k == "" {
					return nil, interp.Permanent(errf(interp.KindValue, "idempotency_key() names the step whose arguments it is in; here it is in none"))
				}
				return k, nil
			}),
		pure("type(x: any) -> string", "Returns the name of x's type: null, bool, int, float, string, duration, time, list, map, function.",
			`type(17)  # "int"`, func(th *T, a *Args) (V, error) { return interp.TypeName(a.Value(0)), nil }),
		pure("json.parse(s: string) -> any", "Reads JSON text into a value; integral numbers become ints.",
			`json.parse(r.body).score`+"\n"+`json.parse("{\"score\": 2}").score  # 2`, func(th *T, a *Args) (V, error) {
				s, _ := a.String(0)
				v, err := interp.ParseJSON([]byte(s))
				if err != nil {
					return nil, interp.Permanent(errf(interp.KindValue, "%v", err))
				}
				return v, nil
			}),
		pure("json.encode(x: any) -> string", "Writes a value as JSON text, keeping map order.",
			`json.encode({id: "inq_1", ok: true})  # "{\"id\":\"inq_1\",\"ok\":true}"`, func(th *T, a *Args) (V, error) {
				b, err := th.JSON(a.Value(0))
				if err != nil {
					if re, ok := interp.AsError(err); ok && re.Kind == interp.KindLimit {
						return nil, err
					}
					return nil, errf(interp.KindValue, "%v", err)
				}
				return string(b), nil
			}),
		pure("sha256(s: string) -> string", "Returns the SHA-256 hash of s, in lower-case hex.",
			`sha256("abc")  # "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"`, func(th *T, a *Args) (V, error) {
				s, _ := a.String(0)
				sum := sha256.Sum256([]byte(s))
				return hex.EncodeToString(sum[:]), nil
			}),
		pure("hmac_sha256(key: string, message: string) -> string", "Returns the HMAC-SHA256 of message under key, in lower-case hex.",
			`hmac_sha256(secret("SIGNING_KEY"), body)`+"\n"+`hmac_sha256("key", "The quick brown fox jumps over the lazy dog")  # "f7bc83f430538424b13298e6aa6fb143ef4d59a14946175997479dbc2d1a3cd8"`, func(th *T, a *Args) (V, error) {
				k, _ := a.String(0)
				m, _ := a.String(1)
				mac := hmac.New(sha256.New, []byte(k))
				mac.Write([]byte(m))
				return hex.EncodeToString(mac.Sum(nil)), nil
			}),
		pure("id(prefix: string = \"id_\") -> string", "Returns a new id from the run's seed, so a replayed run makes the same ids.",
			`id("ref_")`, func(th *T, a *Args) (V, error) {
				p, _ := a.String(0)
				return th.ID(p), nil
			}),
		pure("uuid() -> string", "Returns a random (version 4) UUID from the run's seed.", `uuid()`,
			func(th *T, a *Args) (V, error) {
				var b [16]byte
				for i := 0; i < 16; i += 8 {
					x := uint64(th.Rand() * (1 << 53))
					y := uint64(th.Rand() * (1 << 53))
					v := x ^ y<<11
					for j := 0; j < 8; j++ {
						b[i+j] = byte(v >> (8 * j))
					}
				}
				b[6] = b[6]&0x0f | 0x40
				b[8] = b[8]&0x3f | 0x80
				h := hex.EncodeToString(b[:])
				return h[:8] + "-" + h[8:12] + "-" + h[12:16] + "-" + h[16:20] + "-" + h[20:], nil
			}),
		pure("random() -> float", "Returns a number in [0, 1) from the run's seed.", `random() < 0.1  # sample 10%`,
			func(th *T, a *Args) (V, error) { return th.Rand(), nil }),
		pure("secret(name: string) -> string", "Returns the secret name: an entry of the secrets file, or else the environment variable WF_SECRET_<name> (no other variable). The value is a secret: a string computed from it is one too, steps' actions get its text, and every record, log and error shows [secret name] instead.",
			`secret("SLACK_REVIEW_WEBHOOK")`, func(th *T, a *Args) (V, error) {
				name, _ := a.String(0)
				src, ok := th.Env().(SecretSource)
				if !ok {
					return nil, interp.Permanent(errf(interp.KindValue, "no secrets are configured"))
				}
				v, ok := src.Secret(name)
				if !ok {
					return nil, interp.Permanent(errf(interp.KindValue, "secret %s is not set", name))
				}
				return th.NewSecret(name, v), nil
			}),
		pure("assert(cond: bool, message: string = \"assertion failed\") -> null", "Fails the run with message when cond is false. For tests written in WF.",
			`assert(len(xs) == 3, "three items")  # null`, func(th *T, a *Args) (V, error) {
				ok, err := a.Bool(0)
				if err != nil {
					return nil, err
				}
				if !ok {
					msg, _ := a.String(1)
					return nil, interp.Errorf(interp.KindAssert, "%s", msg)
				}
				return nil, nil
			}),
	}
}
