package api

import (
	"bytes"
	"encoding/base64"
	"encoding/json"
	"errors"
	"io"
	"maps"
	"net/http"

	"github.com/pyro-mcp/pyro/guest/internal/secrets"
)

// maxSecretsBody fits a full set: 64 values of 64 KiB, base64-encoded
// (about 5.6 MB), with room for names and syntax.
const maxSecretsBody = 8 << 20

// secretsPut replaces the whole set. Error messages never quote a value:
// not even a JSON parser's, which may cite a character of the body.
func (s *Server) secretsPut(w http.ResponseWriter, r *http.Request) error {
	req, err := decodeSecrets(r.Body)
	if err != nil {
		return err
	}
	list := make([]secrets.Secret, len(req.Secrets))
	for i, e := range req.Secrets {
		v, err := base64.StdEncoding.DecodeString(e.ValueB64)
		if err != nil {
			return invalidf("secrets[%d] (%q): value_b64 is not valid base64", i, e.Name)
		}
		list[i] = secrets.Secret{Name: e.Name, Value: v}
	}
	names, err := s.Secrets.Set(list)
	if err != nil {
		return err
	}
	writeJSON(w, http.StatusOK, SecretsResult{Names: names})
	return nil
}

func decodeSecrets(body io.Reader) (SecretsRequest, error) {
	var req SecretsRequest
	b, err := io.ReadAll(io.LimitReader(body, maxSecretsBody+1))
	if err != nil {
		return req, invalidf("reading body: %v", err)
	}
	if len(b) > maxSecretsBody {
		return req, invalidf("body exceeds %d bytes", maxSecretsBody)
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&req); err != nil {
		var syn *json.SyntaxError
		var typ *json.UnmarshalTypeError
		switch {
		case errors.As(err, &syn):
			return req, invalidf("body: invalid JSON at byte %d", syn.Offset)
		case errors.As(err, &typ):
			return req, invalidf("body: %s must be %s", typ.Field, typ.Type)
		case errors.Is(err, io.EOF), errors.Is(err, io.ErrUnexpectedEOF):
			return req, invalidf("body: incomplete JSON")
		default: // unknown field: quotes the field name only
			return req, invalidf("body: %v", err)
		}
	}
	if dec.More() {
		return req, invalidf("body: data after the JSON value")
	}
	if req.Secrets == nil {
		return req, invalidf(`body: "secrets" is required (an empty list clears the set)`)
	}
	return req, nil
}

// withSecretEnv returns env plus the variables secret_env names, resolved
// to the secrets' values. A variable in both is refused: two inputs for
// one thing, and the host would not know which won.
func (s *Server) withSecretEnv(env, secretEnv map[string]string) (map[string]string, error) {
	resolved, err := s.Secrets.Env(secretEnv)
	if err != nil || len(resolved) == 0 {
		return env, err
	}
	for k := range resolved {
		if _, dup := env[k]; dup {
			return nil, invalidf("env %q is set by both env and secret_env", k)
		}
	}
	out := maps.Clone(env)
	if out == nil {
		out = map[string]string{}
	}
	maps.Copy(out, resolved)
	return out, nil
}
