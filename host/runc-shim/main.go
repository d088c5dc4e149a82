// Command kubelab-runc is an OCI runtime shim for hosts whose capability bounding set is
// smaller than the full list Docker asks for (seen on some VMs and sandboxes: CAP_SYS_RESOURCE
// missing). Docker 20.10 requests every capability for --privileged containers, and runc then
// fails with "unable to apply caps: operation not permitted". kind's nodes are privileged, so
// such a host cannot run kind at all.
//
// The shim is registered as Docker's default runtime by `npm run setup`, and only on hosts where
// that failure was detected. For `create` and `run` it rewrites <bundle>/config.json, for `exec`
// the --process file, removing every capability that this process's own bounding set lacks;
// then it execs the real runc with the same arguments. Nothing else changes.
package main

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
)

// realRunc is where Debian's runc package installs the runtime; KUBELAB_REAL_RUNC overrides it.
const realRunc = "/usr/sbin/runc"

func main() {
	args := os.Args[1:]
	if err := adjust(args); err != nil {
		fmt.Fprintf(os.Stderr, "kubelab-runc: %v\n", err)
		os.Exit(1)
	}
	target := realRunc
	if v := os.Getenv("KUBELAB_REAL_RUNC"); v != "" {
		target = v
	}
	argv := append([]string{target}, args...)
	if err := syscall.Exec(target, argv, os.Environ()); err != nil {
		fmt.Fprintf(os.Stderr, "kubelab-runc: exec %s: %v\n", target, err)
		os.Exit(127)
	}
}

// adjust finds the spec file the runc subcommand will read and filters its capabilities.
func adjust(args []string) error {
	cmd, rest := subcommand(args)
	switch cmd {
	case "create", "run":
		bundle := flagValue(rest, "bundle", "b")
		if bundle == "" {
			bundle = "."
		}
		return filterFile(filepath.Join(bundle, "config.json"), "process")
	case "exec":
		if p := flagValue(rest, "process", "p"); p != "" {
			return filterFile(p, "")
		}
	}
	return nil
}

// subcommand skips runc's global flags (those before the subcommand) and returns the subcommand.
func subcommand(args []string) (string, []string) {
	withValue := map[string]bool{"--root": true, "--log": true, "--log-format": true, "--criu": true, "--rootless": true}
	for i := 0; i < len(args); i++ {
		a := args[i]
		if !strings.HasPrefix(a, "-") {
			return a, args[i+1:]
		}
		if withValue[a] {
			i++
		}
	}
	return "", nil
}

// flagValue reads --name value, --name=value, -n value from a subcommand's arguments.
func flagValue(args []string, long, short string) string {
	for i, a := range args {
		for _, name := range []string{"--" + long, "-" + long, "-" + short} {
			if a == name && i+1 < len(args) {
				return args[i+1]
			}
			if strings.HasPrefix(a, name+"=") {
				return strings.TrimPrefix(a, name+"=")
			}
		}
	}
	return ""
}

// filterFile removes unavailable capabilities from a spec's process (key "process") or from a
// bare process file (key ""), keeping every other field byte-for-byte as JSON values.
func filterFile(path, key string) error {
	raw, err := os.ReadFile(path)
	if err != nil {
		return err
	}
	var doc map[string]json.RawMessage
	if err := json.Unmarshal(raw, &doc); err != nil {
		return fmt.Errorf("%s: %w", path, err)
	}
	process := doc
	if key != "" {
		inner, ok := doc[key]
		if !ok {
			return nil
		}
		if err := json.Unmarshal(inner, &process); err != nil {
			return fmt.Errorf("%s: %s: %w", path, key, err)
		}
	}
	capsRaw, ok := process["capabilities"]
	if !ok {
		return nil
	}
	var caps map[string][]string
	if err := json.Unmarshal(capsRaw, &caps); err != nil {
		return fmt.Errorf("%s: capabilities: %w", path, err)
	}
	allowed, err := boundingSet()
	if err != nil {
		return err
	}
	changed := false
	for set, list := range caps {
		kept := list[:0:0]
		for _, c := range list {
			if allowed[c] {
				kept = append(kept, c)
			}
		}
		if len(kept) != len(list) {
			caps[set] = kept
			changed = true
		}
	}
	if !changed {
		return nil
	}
	if process["capabilities"], err = json.Marshal(caps); err != nil {
		return err
	}
	if key != "" {
		if doc[key], err = json.Marshal(process); err != nil {
			return err
		}
	}
	out, err := json.Marshal(doc)
	if err != nil {
		return err
	}
	return os.WriteFile(path, out, 0o600)
}

// capNames maps capability numbers to the names the OCI spec uses (numbering from linux/capability.h).
var capNames = []string{
	"CAP_CHOWN", "CAP_DAC_OVERRIDE", "CAP_DAC_READ_SEARCH", "CAP_FOWNER", "CAP_FSETID", "CAP_KILL",
	"CAP_SETGID", "CAP_SETUID", "CAP_SETPCAP", "CAP_LINUX_IMMUTABLE", "CAP_NET_BIND_SERVICE",
	"CAP_NET_BROADCAST", "CAP_NET_ADMIN", "CAP_NET_RAW", "CAP_IPC_LOCK", "CAP_IPC_OWNER",
	"CAP_SYS_MODULE", "CAP_SYS_RAWIO", "CAP_SYS_CHROOT", "CAP_SYS_PTRACE", "CAP_SYS_PACCT",
	"CAP_SYS_ADMIN", "CAP_SYS_BOOT", "CAP_SYS_NICE", "CAP_SYS_RESOURCE", "CAP_SYS_TIME",
	"CAP_SYS_TTY_CONFIG", "CAP_MKNOD", "CAP_LEASE", "CAP_AUDIT_WRITE", "CAP_AUDIT_CONTROL",
	"CAP_SETFCAP", "CAP_MAC_OVERRIDE", "CAP_MAC_ADMIN", "CAP_SYSLOG", "CAP_WAKE_ALARM",
	"CAP_BLOCK_SUSPEND", "CAP_AUDIT_READ", "CAP_PERFMON", "CAP_BPF", "CAP_CHECKPOINT_RESTORE",
}

// boundingSet reads CapBnd from /proc/self/status; names beyond the table are kept as unknown-but-allowed.
func boundingSet() (map[string]bool, error) {
	status, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return nil, err
	}
	for _, line := range strings.Split(string(status), "\n") {
		if !strings.HasPrefix(line, "CapBnd:") {
			continue
		}
		mask, err := strconv.ParseUint(strings.TrimSpace(strings.TrimPrefix(line, "CapBnd:")), 16, 64)
		if err != nil {
			return nil, fmt.Errorf("parse CapBnd: %w", err)
		}
		allowed := map[string]bool{}
		for i, name := range capNames {
			if mask&(1<<uint(i)) != 0 {
				allowed[name] = true
			}
		}
		return allowed, nil
	}
	return nil, fmt.Errorf("no CapBnd line in /proc/self/status")
}
