package main

import (
	"encoding/json"
	"os"
	"path/filepath"
	"testing"
)

func TestSubcommandSkipsGlobalFlags(t *testing.T) {
	cmd, rest := subcommand([]string{"--root", "/run/runc", "--log", "/x.log", "--systemd-cgroup", "create", "--bundle", "/b", "id"})
	if cmd != "create" || flagValue(rest, "bundle", "b") != "/b" {
		t.Fatalf("got %q %v", cmd, rest)
	}
	if _, rest := subcommand([]string{"exec", "--process=/p.json", "id"}); flagValue(rest, "process", "p") != "/p.json" {
		t.Fatalf("--process=value not read: %v", rest)
	}
}

func TestFilterFileDropsOnlyCapabilitiesOutsideTheBoundingSet(t *testing.T) {
	allowed, err := boundingSet()
	if err != nil {
		t.Fatal(err)
	}
	missing := ""
	for _, name := range capNames {
		if !allowed[name] {
			missing = name
			break
		}
	}
	dir := t.TempDir()
	spec := map[string]interface{}{
		"ociVersion": "1.0.2",
		"process": map[string]interface{}{
			"args": []string{"sh"},
			"capabilities": map[string][]string{
				"bounding":  {"CAP_CHOWN", "CAP_KILL"},
				"effective": {"CAP_CHOWN"},
			},
		},
	}
	if missing != "" {
		caps := spec["process"].(map[string]interface{})["capabilities"].(map[string][]string)
		caps["bounding"] = append(caps["bounding"], missing)
	}
	raw, _ := json.Marshal(spec)
	path := filepath.Join(dir, "config.json")
	if err := os.WriteFile(path, raw, 0o600); err != nil {
		t.Fatal(err)
	}
	if err := adjust([]string{"create", "--bundle", dir, "ctr"}); err != nil {
		t.Fatal(err)
	}
	var out struct {
		OCIVersion string `json:"ociVersion"`
		Process    struct {
			Args         []string            `json:"args"`
			Capabilities map[string][]string `json:"capabilities"`
		} `json:"process"`
	}
	data, _ := os.ReadFile(path)
	if err := json.Unmarshal(data, &out); err != nil {
		t.Fatal(err)
	}
	if out.OCIVersion != "1.0.2" || len(out.Process.Args) != 1 {
		t.Fatalf("other fields changed: %s", data)
	}
	got := out.Process.Capabilities["bounding"]
	if len(got) != 2 || got[0] != "CAP_CHOWN" || got[1] != "CAP_KILL" {
		t.Fatalf("bounding = %v, want CAP_CHOWN CAP_KILL (missing on this host: %q)", got, missing)
	}
}
