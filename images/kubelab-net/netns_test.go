package main

// An end-to-end check of the policy rules with the real iptables and real connections, inside
// network namespaces made for the test (root only, so it runs when KUBELAB_NETNS_TEST=1):
//
//	node namespace: the router, like a kind node with ptp: one veth per pod, each with the
//	                gateway 10.77.0.1/32 and a /32 route to its pod; forwarding on; our rules
//	pod namespaces: a 10.77.0.2 (default, role=client), b 10.77.0.3 (default, app=web, port
//	                http=8080), c 10.77.0.4 (team, role=other); each serves TCP 80 and 8080
//	                and UDP 53 (echo)
//
// All traffic stays among these namespaces' 10.77.0.0/24 addresses. The listeners and clients
// are this test binary re-run inside a namespace (TestNetnsHelper).

import (
	"bufio"
	"errors"
	"fmt"
	"net"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	v1 "k8s.io/api/core/v1"
	netv1 "k8s.io/api/networking/v1"
	"k8s.io/apimachinery/pkg/util/intstr"
)

func TestNetnsHelper(t *testing.T) {
	switch os.Getenv("KUBELAB_NETNS_HELPER") {
	case "serve":
		serveForever()
	case "dial":
		fmt.Println(dial(os.Getenv("KUBELAB_NETNS_NET"), os.Getenv("KUBELAB_NETNS_ADDR")))
	default:
		t.Skip("only a helper process of TestNetnsPolicies")
	}
}

func serveForever() {
	for _, p := range []string{":80", ":8080"} {
		l, err := net.Listen("tcp4", p)
		if err != nil {
			fmt.Println("listen:", err)
			os.Exit(1)
		}
		go func() {
			for {
				c, err := l.Accept()
				if err != nil {
					return
				}
				go func() {
					defer c.Close()
					line, _ := bufio.NewReader(c).ReadString('\n')
					_, _ = c.Write([]byte("echo " + line))
				}()
			}
		}()
	}
	u, err := net.ListenPacket("udp4", ":53")
	if err != nil {
		fmt.Println("listen:", err)
		os.Exit(1)
	}
	go func() {
		buf := make([]byte, 512)
		for {
			n, from, err := u.ReadFrom(buf)
			if err != nil {
				return
			}
			_, _ = u.WriteTo(append([]byte("echo "), buf[:n]...), from)
		}
	}()
	fmt.Println("ready")
	select {}
}

// dial says "open" (a reply came back), "refused" (reset or ICMP unreachable) or "timeout".
func dial(network, addr string) string {
	c, err := net.DialTimeout(network, addr, 2*time.Second)
	if err != nil {
		return classify(err)
	}
	defer c.Close()
	_ = c.SetDeadline(time.Now().Add(2 * time.Second))
	if _, err := c.Write([]byte("ping\n")); err != nil {
		return classify(err)
	}
	buf := make([]byte, 64)
	n, err := c.Read(buf)
	if err != nil {
		return classify(err)
	}
	if string(buf[:n]) != "echo ping\n" {
		return "garbled " + string(buf[:n])
	}
	return "open"
}

func classify(err error) string {
	var ne net.Error
	switch {
	case errors.Is(err, syscall.ECONNREFUSED), errors.Is(err, syscall.ECONNRESET):
		return "refused"
	case errors.As(err, &ne) && ne.Timeout():
		return "timeout"
	}
	return "error: " + err.Error()
}

type netnsLab struct {
	t       *testing.T
	prefix  string
	servers []*exec.Cmd
	applier *policyApplier
	restore int // iptables-restore runs
}

func (l *netnsLab) ns(name string) string { return l.prefix + name }

func (l *netnsLab) sh(args ...string) string {
	l.t.Helper()
	out, err := exec.Command(args[0], args[1:]...).CombinedOutput()
	if err != nil {
		l.t.Fatalf("%s: %v: %s", strings.Join(args, " "), err, out)
	}
	return string(out)
}

func (l *netnsLab) inNode(args ...string) string {
	l.t.Helper()
	return l.sh(append([]string{"ip", "netns", "exec", l.ns("node")}, args...)...)
}

func (l *netnsLab) dial(fromNS, network, addr string) string {
	l.t.Helper()
	exe, _ := os.Executable()
	cmd := exec.Command("ip", "netns", "exec", l.ns(fromNS), exe, "-test.run=^TestNetnsHelper$")
	cmd.Env = append(os.Environ(), "KUBELAB_NETNS_HELPER=dial", "KUBELAB_NETNS_NET="+network, "KUBELAB_NETNS_ADDR="+addr)
	out, err := cmd.Output()
	if err != nil {
		l.t.Fatalf("dial helper: %v: %s", err, out)
	}
	first, _, _ := strings.Cut(string(out), "\n") // the helper's own test verdict follows
	return first
}

func TestNetnsPolicies(t *testing.T) {
	if os.Getenv("KUBELAB_NETNS_TEST") != "1" {
		t.Skip("set KUBELAB_NETNS_TEST=1 (root) to run the rules with real iptables in network namespaces")
	}
	l := &netnsLab{t: t, prefix: fmt.Sprintf("kln%d-", os.Getpid())}
	l.applier = &policyApplier{run: func(stdin, name string, args ...string) (string, error) {
		if name == "iptables-restore" {
			l.restore++
		}
		return runCommand(stdin, "ip", append([]string{"netns", "exec", l.ns("node"), name}, args...)...)
	}}
	t.Cleanup(func() {
		for _, s := range l.servers {
			_ = s.Process.Kill()
			_ = s.Wait()
		}
		for _, n := range []string{"node", "a", "b", "c"} {
			_ = exec.Command("ip", "netns", "del", l.ns(n)).Run()
		}
	})

	pods := map[string]string{"a": "10.77.0.2", "b": "10.77.0.3", "c": "10.77.0.4"}
	for _, n := range []string{"node", "a", "b", "c"} {
		l.sh("ip", "netns", "add", l.ns(n))
		l.sh("ip", "-n", l.ns(n), "link", "set", "lo", "up")
	}
	l.inNode("sysctl", "-qw", "net.ipv4.ip_forward=1")
	for _, p := range []string{"a", "b", "c"} {
		host := "veth" + p
		l.sh("ip", "-n", l.ns("node"), "link", "add", host, "type", "veth", "peer", "name", "eth0", "netns", l.ns(p))
		l.sh("ip", "-n", l.ns("node"), "addr", "add", "10.77.0.1/32", "dev", host)
		l.sh("ip", "-n", l.ns("node"), "link", "set", host, "up")
		l.sh("ip", "-n", l.ns("node"), "route", "add", pods[p]+"/32", "dev", host)
		l.sh("ip", "-n", l.ns(p), "addr", "add", pods[p]+"/32", "dev", "eth0")
		l.sh("ip", "-n", l.ns(p), "link", "set", "eth0", "up")
		l.sh("ip", "-n", l.ns(p), "route", "add", "10.77.0.1/32", "dev", "eth0", "scope", "link")
		l.sh("ip", "-n", l.ns(p), "route", "add", "default", "via", "10.77.0.1", "dev", "eth0")

		exe, _ := os.Executable()
		cmd := exec.Command("ip", "netns", "exec", l.ns(p), exe, "-test.run=^TestNetnsHelper$")
		cmd.Env = append(os.Environ(), "KUBELAB_NETNS_HELPER=serve")
		stdout, _ := cmd.StdoutPipe()
		if err := cmd.Start(); err != nil {
			t.Fatal(err)
		}
		l.servers = append(l.servers, cmd)
		if line, _ := bufio.NewReader(stdout).ReadString('\n'); strings.TrimSpace(line) != "ready" {
			t.Fatalf("server in %s: %q", p, line)
		}
	}

	a := pod("default", "a", "n1", pods["a"], map[string]string{"role": "client"})
	b := pod("default", "b", "n1", pods["b"], map[string]string{"app": "web"}, v1.ContainerPort{Name: "http", ContainerPort: 8080})
	c := pod("team", "c", "n1", pods["c"], map[string]string{"role": "other"})
	elsewhere := pod("default", "elsewhere", "n2", "10.77.1.5", map[string]string{"app": "web"})
	cluster := []*v1.Pod{a, b, c, elsewhere}
	namespaces := []*v1.Namespace{ns("default", nil), ns("team", map[string]string{"team": "a"})}
	udp53 := v1.ProtocolUDP

	type probe struct{ from, network, addr, want string }
	steps := []struct {
		name     string
		policies []*netv1.NetworkPolicy
		probes   []probe
	}{
		{"no policies", nil, []probe{
			{"a", "tcp", "10.77.0.3:80", "open"}, {"c", "tcp", "10.77.0.3:8080", "open"}, {"a", "udp", "10.77.0.3:53", "open"},
		}},
		{"default deny ingress in default", []*netv1.NetworkPolicy{policy("default", "deny", nil, nil)}, []probe{
			{"a", "tcp", "10.77.0.3:80", "refused"}, {"c", "tcp", "10.77.0.3:80", "refused"}, {"c", "udp", "10.77.0.3:53", "refused"},
			{"b", "tcp", "10.77.0.2:80", "refused"},
			{"node", "tcp", "10.77.0.3:80", "open"}, // the kubelet's probes come from the node
			{"b", "tcp", "10.77.0.4:80", "open"},    // egress is not isolated, c not selected
		}},
		{"allow by pod label on a named port, by namespace label on 80", []*netv1.NetworkPolicy{
			policy("default", "deny", nil, nil),
			policy("default", "web-from-clients", map[string]string{"app": "web"}, func(s *netv1.NetworkPolicySpec) {
				s.Ingress = []netv1.NetworkPolicyIngressRule{
					{From: from(netv1.NetworkPolicyPeer{PodSelector: sel("role", "client")}), Ports: []netv1.NetworkPolicyPort{port("", intstr.FromString("http"))}},
					{From: from(netv1.NetworkPolicyPeer{NamespaceSelector: sel("team", "a")}), Ports: []netv1.NetworkPolicyPort{port("", intstr.FromInt32(80))}},
				}
			}),
		}, []probe{
			{"a", "tcp", "10.77.0.3:8080", "open"}, {"a", "tcp", "10.77.0.3:80", "refused"},
			{"c", "tcp", "10.77.0.3:80", "open"}, {"c", "tcp", "10.77.0.3:8080", "refused"},
		}},
		{"egress: ipBlock with except and DNS; default deny egress for web (its replies still flow)", []*netv1.NetworkPolicy{
			policy("default", "web-from-clients", map[string]string{"app": "web"}, func(s *netv1.NetworkPolicySpec) {
				s.Ingress = []netv1.NetworkPolicyIngressRule{{From: from(netv1.NetworkPolicyPeer{PodSelector: sel("role", "client")})}}
				s.PolicyTypes = []netv1.PolicyType{netv1.PolicyTypeIngress, netv1.PolicyTypeEgress}
			}),
			policy("default", "client-out", map[string]string{"role": "client"}, func(s *netv1.NetworkPolicySpec) {
				s.PolicyTypes = []netv1.PolicyType{netv1.PolicyTypeEgress}
				s.Egress = []netv1.NetworkPolicyEgressRule{
					{To: from(netv1.NetworkPolicyPeer{IPBlock: &netv1.IPBlock{CIDR: "10.77.0.0/24", Except: []string{"10.77.0.4/32"}}})},
					{Ports: []netv1.NetworkPolicyPort{port(udp53, intstr.FromInt32(53))}},
				}
			}),
		}, []probe{
			{"a", "tcp", "10.77.0.3:80", "open"}, {"a", "udp", "10.77.0.3:53", "open"},
			{"a", "tcp", "10.77.0.4:80", "refused"}, {"a", "udp", "10.77.0.4:53", "open"},
			{"b", "tcp", "10.77.0.4:80", "refused"}, {"b", "udp", "10.77.0.2:53", "refused"},
			{"c", "tcp", "10.77.0.2:80", "open"}, {"c", "tcp", "10.77.0.3:80", "refused"},
		}},
		{"policies deleted", nil, []probe{
			{"a", "tcp", "10.77.0.4:80", "open"}, {"b", "tcp", "10.77.0.4:8080", "open"}, {"c", "tcp", "10.77.0.3:80", "open"},
		}},
	}
	for _, s := range steps {
		rules := compileRules("n1", cluster, namespaces, s.policies)
		if err := l.applier.apply(rules); err != nil {
			t.Fatalf("%s: apply: %v", s.name, err)
		}
		for _, p := range s.probes {
			start := time.Now()
			got := l.dial(p.from, p.network, p.addr)
			if got != p.want {
				t.Errorf("%s: %s %s -> %s: %s, want %s\n%s", s.name, p.network, p.from, p.addr, got, p.want, l.inNode("iptables-save", "-t", "filter"))
			}
			if got == "refused" && time.Since(start) > 1500*time.Millisecond {
				t.Errorf("%s: %s -> %s refused only after %v", s.name, p.from, p.addr, time.Since(start))
			}
		}
		saved := l.inNode("iptables-save", "-t", "filter")
		if len(ownedChains(saved)) != len(ownedChains(rules)) {
			t.Errorf("%s: chains in the kernel %v, want %v", s.name, ownedChains(saved), ownedChains(rules))
		}
	}

	// Unchanged rules cost no restore; a rule someone inserts before ours does not stay first;
	// a removed chain comes back.
	rules := compileRules("n1", cluster, namespaces, []*netv1.NetworkPolicy{policy("default", "deny", nil, nil)})
	if err := l.applier.apply(rules); err != nil {
		t.Fatal(err)
	}
	before := l.restore
	l.inNode("iptables", "-w", "-N", "KUBE-FORWARD-TEST")
	l.inNode("iptables", "-w", "-I", "FORWARD", "1", "-j", "KUBE-FORWARD-TEST")
	if err := l.applier.apply(rules); err != nil {
		t.Fatal(err)
	}
	if err := l.applier.apply(rules); err != nil {
		t.Fatal(err)
	}
	if l.restore != before {
		t.Errorf("unchanged rules were restored again")
	}
	fwd := strings.Split(strings.TrimSpace(l.inNode("iptables", "-w", "-S", "FORWARD")), "\n")
	if len(fwd) != 3 || fwd[1] != "-A FORWARD -j KUBELAB-POLICY" || fwd[2] != "-A FORWARD -j KUBE-FORWARD-TEST" {
		t.Errorf("FORWARD:\n%s", strings.Join(fwd, "\n"))
	}
	l.inNode("iptables", "-w", "-D", "FORWARD", "-j", "KUBELAB-POLICY")
	l.inNode("iptables", "-w", "-F", "KUBELAB-POLICY")
	l.inNode("iptables", "-w", "-X", "KUBELAB-POLICY")
	if got := l.dial("a", "tcp", "10.77.0.3:80"); got != "open" {
		t.Fatalf("without our chain: %s", got)
	}
	if err := l.applier.apply(rules); err != nil {
		t.Fatal(err)
	}
	if got := l.dial("a", "tcp", "10.77.0.3:80"); got != "refused" {
		t.Errorf("the chain was not restored: %s\n%s", got, l.inNode("iptables-save", "-t", "filter"))
	}
}
