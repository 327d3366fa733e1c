package runtime

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"

	"github.com/wf-lang/wf/internal/readfile"
)

// Secrets answers secret(name): first from a secrets file, then from the
// environment variable WF_SECRET_<name>. No other variable is read, so a
// script cannot read the process's own credentials (PERSONA_API_KEY,
// SLACK_BOT_TOKEN) or anything else it was not given.
type Secrets struct {
	file map[string]string
}

// MaxSecretsFile is the largest secrets file read.
const MaxSecretsFile = 1 << 20

// LoadSecrets reads a secrets file of NAME=value lines (blank lines and
// lines starting with # are skipped; values may be quoted). A path of ""
// means no file. A missing file is an error only when required.
func LoadSecrets(path string, required bool) (*Secrets, error) {
	s := &Secrets{file: map[string]string{}}
	if path == "" {
		return s, nil
	}
	data, err := readfile.Read(path, MaxSecretsFile)
	if err != nil {
		if os.IsNotExist(err) && !required {
			return s, nil
		}
		return nil, fmt.Errorf("secrets file: %w", err)
	}
	sc := bufio.NewScanner(bytes.NewReader(data))
	line := 0
	for sc.Scan() {
		line++
		text := strings.TrimSpace(sc.Text())
		if text == "" || strings.HasPrefix(text, "#") {
			continue
		}
		text = strings.TrimPrefix(text, "export ")
		k, v, ok := strings.Cut(text, "=")
		if !ok || strings.TrimSpace(k) == "" {
			return nil, fmt.Errorf("%s:%d: expected NAME=value", path, line)
		}
		v = strings.TrimSpace(v)
		if len(v) >= 2 && (v[0] == '"' && v[len(v)-1] == '"' || v[0] == '\'' && v[len(v)-1] == '\'') {
			v = v[1 : len(v)-1]
		}
		s.file[strings.TrimSpace(k)] = v
	}
	return s, sc.Err()
}

// SecretEnvPrefix starts the names of the environment variables secret()
// reads: secret("HOOK") reads WF_SECRET_HOOK.
const SecretEnvPrefix = "WF_SECRET_"

// Secret returns the named secret.
func (s *Secrets) Secret(name string) (string, bool) {
	if v, ok := s.file[name]; ok {
		return v, true
	}
	if name == "" {
		return "", false
	}
	return os.LookupEnv(SecretEnvPrefix + name)
}
